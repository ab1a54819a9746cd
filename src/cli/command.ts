// What a command module exports, and what the dispatcher hands it. To add a command: a module that
// exports `command` (its spec and its run), and one line in commands.ts's COMMANDS.
import type { CommandSpec, ParsedArgs } from './args.js';
import type { Trace } from '../support/trace.js';

export interface CommandContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now: () => Date;
  trace: Trace;
  /** Reads all of stdin (only used when it is not a terminal). */
  readStdin: () => Promise<string>;
  stdinIsTerminal: boolean;
  /** The command table (commands.ts), handed in so that a command that lists the others (completion) need not import it. */
  commands: CommandTable;
}

/** Each command's word, and how to load its module. */
export type CommandTable = Readonly<Record<string, () => Promise<{ command: CliCommand }>>>;

export interface CliCommand {
  spec: CommandSpec;
  /** Runs with argv already checked against `spec`; returns the exit status. */
  run: (parsed: ParsedArgs, context: CommandContext) => Promise<number>;
}
