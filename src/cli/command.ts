// What a command module exports, and what the entry hands it. To add a command: a module that
// exports `command` (its spec and its run), and one line in main.ts's COMMANDS.
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
}

export interface CliCommand {
  spec: CommandSpec;
  /** Runs with argv already checked against `spec`; returns the exit status. */
  run: (parsed: ParsedArgs, context: CommandContext) => Promise<number>;
}
