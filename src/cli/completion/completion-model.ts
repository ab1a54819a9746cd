// What shell completion offers, made from the CLI's own definitions (commands.ts's COMMANDS and each
// command's spec, args.ts's common options), so a new command, action or option is completed the
// day it exists. The one thing the specs do not say is what an option's value or an argument is:
// VALUE_KINDS and ARGUMENT_KINDS below say it, and completionModel() refuses a valued option or
// an argument label they do not know (a test runs it), rather than complete it wrongly.
import { COMMON_FLAGS, type ArgsSpec, type CommandSpec } from '../args.js';

/** What a word is, for completion: a profile name, a folder, one of a few words, or anything. */
export type ValueKind = { kind: 'profile' } | { kind: 'directory' } | { kind: 'choice'; words: readonly string[] } | { kind: 'command' } | { kind: 'any' };

const PROFILE: ValueKind = { kind: 'profile' };
const DIRECTORY: ValueKind = { kind: 'directory' };
const ANY: ValueKind = { kind: 'any' };

/** Every valued option of every command, by name: what its value is. */
export const VALUE_KINDS: Readonly<Record<string, ValueKind>> = {
  profile: PROFILE,
  'source-profile': PROFILE,
  account: ANY,
  credentials: { kind: 'choice', words: ['ambient'] },
  dir: DIRECTORY,
  repo: DIRECTORY,
  'remote-url': ANY,
  backend: { kind: 'choice', words: ['file', 'keyring', 'leapp'] },
  'role-arn': ANY,
  'external-id': ANY,
  'mfa-serial': ANY,
  duration: ANY,
  region: ANY,
  'max-key-age-days': ANY,
};

/** Every positional argument, by the label its spec gives it. */
export const ARGUMENT_KINDS: Readonly<Record<string, ValueKind>> = {
  'one profile name': PROFILE,
  'one URL': ANY,
  'the folder for --all': DIRECTORY,
  'the prompt': ANY,
  'one shell (bash, zsh or fish)': { kind: 'choice', words: ['bash', 'zsh', 'fish'] },
  'one command': { kind: 'command' },
};

export interface OptionWords {
  /** Options that take a value, with what the value is (`--profile NAME`). */
  valued: ReadonlyArray<{ name: string; value: ValueKind }>;
  /** Options that take none. */
  flags: readonly string[];
  /** The positional argument, if the command or action takes one. */
  argument?: ValueKind;
}

export interface CompletedCommand extends OptionWords {
  name: string;
  /** The overview's line for it. */
  summary: string;
  /** `vault add`, `session start`: the first argument picks one, with its own options and argument. */
  actions?: ReadonlyArray<{ name: string } & OptionWords>;
}

export interface CompletionModel {
  /** The words that run a command, in commands.ts's order, and `help`. */
  commands: readonly CompletedCommand[];
  /** What may come before the command: the helper line's options, --help, --version, --debug. */
  before: OptionWords;
}

/** `commands`: each word that runs a command (commands.ts's COMMANDS) with its spec. */
export function completionModel(commands: ReadonlyArray<{ name: string; spec: CommandSpec }>, helperSpec: ArgsSpec): CompletionModel {
  const words = (spec: ArgsSpec, inherited: ArgsSpec = {}): OptionWords => {
    const valued = [...new Set([...(inherited.valued ?? []), ...(spec.valued ?? [])])];
    const args = spec.args ?? inherited.args;
    return {
      valued: valued.map((name) => ({ name, value: known(VALUE_KINDS, name, `option --${name}`) })),
      flags: [...new Set([...(inherited.flags ?? []), ...(spec.flags ?? []), ...COMMON_FLAGS])],
      ...(args && { argument: known(ARGUMENT_KINDS, args.label, `argument "${args.label}"`) }),
    };
  };
  const completed: CompletedCommand[] = commands.map(({ name, spec }) => ({
    name,
    summary: spec.summary,
    ...words(spec),
    ...(spec.actions && { actions: Object.entries(spec.actions).map(([action, own]) => ({ name: action, ...words(own, { valued: spec.valued ?? [], flags: spec.flags ?? [] }) })) }),
  }));
  completed.push({ name: 'help', summary: "a command's options, examples and exit status", valued: [], flags: [...COMMON_FLAGS], argument: ARGUMENT_KINDS['one command']! });
  const before = words(helperSpec);
  const valued = new Set(valuedOptions({ commands: completed, before }).keys());
  for (const c of [before, ...completed, ...completed.flatMap((c) => c.actions ?? [])]) {
    const both = c.flags.filter((f) => valued.has(f));
    if (both.length) throw new Error(`completion: --${both[0]} takes a value for one command and none for another: the scripts cannot tell`);
  }
  return { commands: completed, before: { valued: before.valued, flags: [...before.flags, 'version'] } };
}

function known(table: Readonly<Record<string, ValueKind>>, key: string, what: string): ValueKind {
  const kind = Object.hasOwn(table, key) ? table[key] : undefined;
  if (!kind) throw new Error(`completion: ${what} has no completion kind: add it to src/cli/completion/completion-model.ts`);
  return kind;
}

/** Each distinct valued option with its kind, across the whole CLI (options mean the same everywhere). */
export function valuedOptions(model: CompletionModel): Map<string, ValueKind> {
  const all = new Map<string, ValueKind>();
  const add = (w: OptionWords) => w.valued.forEach((o) => all.set(o.name, o.value));
  add(model.before);
  for (const command of model.commands) {
    add(command);
    command.actions?.forEach(add);
  }
  return all;
}
