// Errors a person can act on: the message says what went wrong and what to run next.
// Only the CLI entry turns them into an exit status; everything below just throws.

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
