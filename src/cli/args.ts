// argv -> a command name and its options, checked against that command's spec. git appends the
// action (`get`, `store`, `erase`) after whatever the helper line holds, so options may come
// before or after the command. On the hot path: keep it small.
//
// node:util's parseArgs splits argv into options and arguments; on its tokens this module applies
// what cc-helper adds: every refusal says which command refuses what and suggests the closest
// known word, and two rules of cc-helper's grammar that parseArgs does not have (below).
import { parseArgs } from 'node:util';
import { UsageError } from '../support/errors.js';

export interface ParsedArgs {
  command?: string;
  /** Positionals after the command (for a command with actions, the action comes first). */
  rest: string[];
  /** `--name value` / `--name=value` options; boolean flags map to 'true'. */
  options: Map<string, string[]>;
}

/** What a command (or one of its actions) takes besides the options every command takes. */
export interface ArgsSpec {
  /** Options that take a value (`--profile NAME`). */
  valued?: readonly string[];
  /** Options that take none (`--dry-run`). */
  flags?: readonly string[];
  /** Positional arguments: how many, and what to call them (`one profile name`). None if absent. */
  args?: { min: number; max: number; label: string };
}

/** A command as `cc-helper help` and the argument check see it; each command module exports one. */
export interface CommandSpec extends ArgsSpec {
  /** As the overview lists it (`setup`, `get|store|erase`). */
  name: string;
  /** One line for the overview. */
  summary: string;
  /** The command's help page: synopsis, options, examples, exit status. */
  usage: string;
  /** Commands such as `vault add`: the first positional picks one; its own options and arguments. */
  actions?: Readonly<Record<string, ArgsSpec>>;
}

/** Options every command takes. `-h`/`-v` are spelled out as `--help`/`--version`. */
export const COMMON_FLAGS = ['help', 'debug'] as const;
const SHORT = { help: 'h', version: 'v' } as const;

interface ParseRules {
  valued: ReadonlySet<string>;
  known: ReadonlySet<string>;
  /** Who does not take an unknown option, and which help page says what it takes. */
  label: string;
  topic: string;
  /** The command takes a profile name as an argument: an unknown `-x` may be one. */
  takesProfile: boolean;
}

type Token = ReturnType<typeof parseArgs<{ strict: false; tokens: true; allowPositionals: true }>>['tokens'][number];

/**
 * argv as parseArgs reads it (`--name=value`, `--name value`, `-h`, `--` ending the options), with
 * the value options in `valued` and the flags in `flags`. Two rules are cc-helper's: a word with
 * one dash and more than one letter is an argument, not short options run together (a profile may
 * be named `-dash`); and a value option does not take a following `--word` as its value
 * (`--profile --debug` is a mistake, as the AWS CLI's argparse also says, not a profile named --debug).
 */
function tokens(argv: readonly string[], valued: Iterable<string>, flags: Iterable<string>): Token[] {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: SHORT.help }, version: { type: 'boolean', short: SHORT.version } };
  for (const name of flags) options[name] = { type: 'boolean', ...(Object.hasOwn(SHORT, name) && { short: SHORT[name as keyof typeof SHORT] }) };
  for (const name of valued) options[name] = { type: 'string' };
  const split = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true }).tokens;
  // Short options run together come as one token a letter, all with the word's index: one argument.
  return split.flatMap((token, i): Token[] => {
    const word = argv[token.index]!;
    if (token.kind !== 'option' || word.startsWith('--') || word.length <= 2) return [token];
    return split[i - 1]?.index === token.index ? [] : [{ kind: 'positional', index: token.index, value: word }];
  });
}

/** What a word before `=` wrote: `--name` of `--name=value`, or the whole word. */
const written = (word: string) => word.split('=')[0]!;

function tokenise(argv: readonly string[], rules: ParseRules, parsed: ParsedArgs): void {
  for (const token of tokens(argv, rules.valued, rules.known)) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      parsed.rest.push(token.value);
      continue;
    }
    const word = argv[token.index]!;
    const { name } = token;
    if (!rules.known.has(name)) {
      const error = notTaken(rules.label, written(word), rules.known, rules.topic);
      // A profile may be named `-x` (the AWS CLI takes it): after `--` it is an argument, not an option.
      if (rules.takesProfile && !word.startsWith('--')) error.message += `; a profile name that starts with "-" goes after --: cc-helper ${rules.label} -- ${word.slice(0, 40)}`;
      throw error;
    }
    let value = 'true';
    if (rules.valued.has(name)) {
      if (token.value !== undefined && (token.inlineValue || !token.value.startsWith('--'))) value = token.value;
      else throw new UsageError(`option --${name} needs a value: see \`cc-helper help ${rules.topic}\``);
    } else if (token.inlineValue) {
      throw new UsageError(`option --${name} takes no value`);
    }
    const list = parsed.options.get(name) ?? [];
    list.push(value);
    parsed.options.set(name, list);
  }
}

/**
 * Where the command is in argv: the first word that is not an option or an option's value.
 * Before it, only the options `before` names (the helper line's, and --help/--version) may come.
 */
export function findCommand(argv: readonly string[], before: ArgsSpec, from = 0): number {
  const valued = new Set(before.valued);
  const allowed = new Set([...valued, ...(before.flags ?? []), ...COMMON_FLAGS, 'version']);
  for (const token of tokens(argv.slice(from), valued, before.flags ?? [])) {
    if (token.kind === 'option-terminator') return -1;
    const at = from + token.index;
    const word = argv[at]!;
    let name = token.kind === 'option' ? token.name : undefined;
    if (token.kind === 'positional') {
      if (!word.startsWith('-') || word === '-') return at;
      // A one-dash word here is read as it always was: by its first letter (`-hx` as -h), else as
      // a long name (`-profile`), whose value is then the next word.
      name = word[1] === SHORT.help ? 'help' : word[1] === SHORT.version ? 'version' : word.slice(1);
      if (allowed.has(name) && valued.has(name) && !word.includes('=')) return findCommand(argv, before, at + 2);
    }
    if (!allowed.has(name!)) {
      throw new UsageError(`unknown option ${written(word)} before the command: a command's options go after it (cc-helper COMMAND ${written(word)} ...); see \`cc-helper --help\``);
    }
  }
  return -1;
}

/**
 * Parses argv without the command word at `at` (-1: none) by `spec`, and checks everything a
 * command does not take, the same way for every command: an unknown option or action (with the
 * closest known one), a missing or extra argument. `--help` skips the checks of arguments.
 */
export function parseCommand(argv: readonly string[], at: number, command: string | undefined, spec: ArgsSpec & { actions?: CommandSpec['actions'] }): ParsedArgs {
  const parsed: ParsedArgs = { rest: [], options: new Map() };
  if (command !== undefined) parsed.command = command;
  const all = [spec, ...Object.values(spec.actions ?? {})];
  const valued = new Set(all.flatMap((s) => s.valued ?? []));
  const known = new Set([...valued, ...all.flatMap((s) => s.flags ?? []), ...COMMON_FLAGS]);
  if (command === undefined) known.add('version');
  const words = at < 0 ? argv : [...argv.slice(0, at), ...argv.slice(at + 1)];
  // An option no action takes: name the action in the message if one is there (`vault list`).
  const action = spec.actions ? words.find((w) => Object.hasOwn(spec.actions!, w)) : undefined;
  const label = command === undefined ? 'cc-helper' : action ? `${command} ${action}` : command;
  const takesProfile = ((action ? spec.actions![action]! : spec).args?.label.includes('profile')) === true;
  tokenise(words, { valued, known, label, topic: command ?? '', takesProfile }, parsed);
  if (flag(parsed, 'help') || command === undefined) return parsed;
  let args = parsed.rest;
  let taken: ArgsSpec = spec;
  if (spec.actions) {
    const names = Object.keys(spec.actions);
    const list = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
    const given = args[0];
    if (given === undefined) throw new UsageError(`${command} needs an action: ${list} (see \`cc-helper help ${command}\`)`);
    const chosen = Object.hasOwn(spec.actions, given) ? spec.actions[given] : undefined;
    if (!chosen) throw new UsageError(`unknown ${command} action "${given.slice(0, 20)}"${didYouMean(given, names, '')}: use ${list}`);
    args = args.slice(1);
    taken = { valued: [...(spec.valued ?? []), ...(chosen.valued ?? [])], flags: [...(spec.flags ?? []), ...(chosen.flags ?? [])], ...(chosen.args && { args: chosen.args }) };
    const own = new Set([...(taken.valued ?? []), ...(taken.flags ?? []), ...COMMON_FLAGS]);
    for (const name of parsed.options.keys()) if (!own.has(name)) throw notTaken(label, `--${name}`, own, command);
  }
  const { min, max, label: what } = taken.args ?? { min: 0, max: 0, label: '' };
  const see = `see \`cc-helper help ${command}\``;
  if (args.length > max) {
    const takes = max === 0 ? 'no arguments' : `${min === max ? '' : 'at most '}${what}`;
    throw new UsageError(`${label} takes ${takes} (got "${args[max]!.slice(0, 40)}"): ${see}`);
  }
  if (args.length < min) throw new UsageError(`${label} needs ${what}: ${see}`);
  return parsed;
}

function notTaken(label: string, written: string, known: Iterable<string>, topic: string): UsageError {
  const given = written.replace(/^--?/, '');
  const see = topic ? `cc-helper help ${topic}` : 'cc-helper --help';
  return new UsageError(`${label} does not take ${written}${didYouMean(given, known, '--')}: see \`${see}\``);
}

/** ` (did you mean --x?)` for the closest candidate within two edits (or one it begins), else ''. */
export function didYouMean(given: string, candidates: Iterable<string>, prefix: string): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = given.length >= 3 && c.startsWith(given) ? 1 : editDistance(given, c);
    if (d < bestDistance && d < Math.max(given.length, 2)) [best, bestDistance] = [c, d];
  }
  return best === undefined ? '' : ` (did you mean ${prefix}${best}?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

export function lastOption(parsed: ParsedArgs, name: string): string | undefined {
  return parsed.options.get(name)?.at(-1);
}

export function flag(parsed: ParsedArgs, name: string): boolean {
  return parsed.options.has(name);
}
