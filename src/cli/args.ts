// argv -> a command name and its options. git appends the action (`get`, `store`, `erase`) after
// whatever the helper line holds, so options may come before or after the command.
import { UsageError } from '../support/errors.js';

export interface ParsedArgs {
  command?: string;
  /** Positionals after the command. */
  rest: string[];
  /** `--name value` / `--name=value` options; boolean flags map to 'true'. */
  options: Map<string, string[]>;
}

export interface OptionSpec {
  /** Options that take a value; all others are boolean flags. */
  valued: ReadonlySet<string>;
  /** Every option a command accepts (valued or not), for a clear error on typos. */
  known: ReadonlySet<string>;
}

export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const parsed: ParsedArgs = { rest: [], options: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      parsed.rest.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') || (arg.startsWith('-') && arg.length === 2)) {
      const eq = arg.indexOf('=');
      const name = (eq > 0 ? arg.slice(0, eq) : arg).replace(/^--?/, '');
      if (!spec.known.has(name)) throw new UsageError(`unknown option ${arg.slice(0, eq > 0 ? eq : undefined)}: see \`cc-helper --help\``);
      let value = 'true';
      if (spec.valued.has(name)) {
        if (eq > 0) value = arg.slice(eq + 1);
        else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) value = argv[++i]!;
        else throw new UsageError(`option --${name} needs a value`);
      } else if (eq > 0) {
        throw new UsageError(`option --${name} takes no value`);
      }
      const list = parsed.options.get(name) ?? [];
      list.push(value);
      parsed.options.set(name, list);
      continue;
    }
    if (parsed.command === undefined) parsed.command = arg;
    else parsed.rest.push(arg);
  }
  return parsed;
}

export function lastOption(parsed: ParsedArgs, name: string): string | undefined {
  return parsed.options.get(name)?.at(-1);
}

export function flag(parsed: ParsedArgs, name: string): boolean {
  return parsed.options.has(name);
}
