// Errors a person can act on: the message says what went wrong and what to run next.
// Only the CLI entry turns them into an exit status; everything below just throws.
import { redactText } from './redact.js';

export class UserError extends Error {
  override name = 'UserError';
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** Bad command-line usage: exit status 2, like most CLIs. */
export class UsageError extends UserError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, 2);
  }
}

/** One line for stderr: no stack, no newline that could split the message. */
export function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * Runs a command and turns a UserError into its one stderr line and exit status, as the CLI
 * entry does; commands that tests call in-process use it so both report alike.
 */
export async function exitStatusOf(run: () => Promise<number>, stderr: (text: string) => void): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return reportUserError(error, stderr);
  }
}

/** The one stderr line for a UserError; returns its exit status. */
export function reportUserError(error: UserError, stderr: (text: string) => void): number {
  stderr(`cc-helper: ${redactText(oneLine(error.message))}\n`);
  return error.exitCode;
}
