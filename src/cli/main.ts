// The dispatcher: finds the command in argv (the table is commands.ts), checks argv against that
// command's spec, runs it, and returns the exit status that the entry (entry.ts) sets. Each command
// module is imported only when chosen (the helper's is in the hot bundle), so `get` loads nothing
// it does not use.
import { didYouMean, findCommand, flag, parseCommand, type ArgsSpec } from './args.js';
import type { CommandContext } from './command.js';
import { COMMANDS, helper } from './commands.js';
import { oneLine, reportUserError, UsageError, UserError } from '../support/errors.js';
import { createTrace, debugRequested } from '../support/trace.js';

export async function main(argv: readonly string[]): Promise<number> {
  try {
    // Before the command word only the helper line's options (git puts `get` after them), --help,
    // --version and --debug may come.
    const { command: helperCommand } = await helper();
    const at = findCommand(argv, helperCommand.spec);
    const name = at < 0 ? undefined : argv[at]!;
    if (name === undefined || name === 'help') return await help(argv, at, name, helperCommand.spec);
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!load) throw new UsageError(`unknown command "${name.slice(0, 40)}"${didYouMean(name, [...Object.keys(COMMANDS), 'help'], '')}: see \`cc-helper --help\``);
    const { command } = await load();
    const parsed = parseCommand(argv, at, name, command.spec);
    if (flag(parsed, 'help')) {
      process.stdout.write(command.spec.usage);
      return 0;
    }
    return await command.run(parsed, context(flag(parsed, 'debug')));
  } catch (error) {
    return report(error);
  }
}

/** `cc-helper [--help | --version]` and `cc-helper help [COMMAND]`. */
async function help(argv: readonly string[], at: number, name: string | undefined, before: ArgsSpec): Promise<number> {
  // The helper line's options parse here too, so `cc-helper --profile X` says no command was given.
  const parsed = parseCommand(argv, at, undefined, { ...before, args: { min: 0, max: 1, label: 'one command' } });
  if (name === undefined && !flag(parsed, 'help')) {
    if (flag(parsed, 'version')) {
      const { readFileSync } = await import('node:fs');
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
      process.stdout.write(`cc-helper ${pkg.version}\n`);
      return 0;
    }
    throw new UsageError('no command given: see `cc-helper --help`');
  }
  const [topic, extra] = parsed.rest;
  if (extra !== undefined) throw new UsageError(`help takes one command (got "${extra.slice(0, 40)}"): see \`cc-helper --help\``);
  if (topic === undefined || topic === 'help') {
    const { overview } = await import('./usage.js');
    const modules = await Promise.all([...new Set(Object.values(COMMANDS))].map((load) => load()));
    process.stdout.write(overview(modules.map((m) => m.command.spec)));
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, topic) ? COMMANDS[topic] : undefined;
  if (!load) throw new UsageError(`no help for "${topic.slice(0, 40)}"${didYouMean(topic, Object.keys(COMMANDS), '')}: the commands are ${Object.keys(COMMANDS).join(', ')}`);
  process.stdout.write((await load()).command.spec.usage);
  return 0;
}

function context(debug: boolean): CommandContext {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    trace: createTrace(debug || debugRequested(process.env)),
    commands: COMMANDS,
    // Through the stream: a synchronous read of a pipe whose writer has not written yet fails
    // with EAGAIN (`vault add` under load, or fed by a slow `pass show ... |`).
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
    // A getter: process.stdin builds a stream, which `get` (reading fd 0 itself) never needs.
    get stdinIsTerminal() {
      return process.stdin.isTTY === true;
    },
  };
}

function report(error: unknown): number {
  if (error instanceof UserError) return reportUserError(error, (text) => process.stderr.write(text));
  // A bug: say so in one line; the stack only with --debug, since it cannot hold secrets but
  // is noise on every git command.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`cc-helper: internal error: ${oneLine(message)} (rerun with CC_HELPER_DEBUG=1 and report it)\n`);
  if (debugRequested(process.env) && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  return 70;
}
