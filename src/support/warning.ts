// Warnings: something the user should fix that does not stop the command (a cache that others
// could have written, ignored and fetched again). One line on stderr, `cc-helper: ...`, like the
// helper's other messages, each text once per process, redacted like everything printed.
import { oneLine } from './errors.js';
import { redactText } from './redact.js';

let sink: (line: string) => void = (line) => void process.stderr.write(`cc-helper: ${line}\n`);
const shown = new Set<string>();

export function warning(message: string): void {
  const line = redactText(oneLine(message));
  if (shown.has(line)) return;
  shown.add(line);
  sink(line);
}

/** Where warnings go instead of stderr (in-process callers that collect their output); returns the previous sink. */
export function setWarningSink(next: (line: string) => void): (line: string) => void {
  const previous = sink;
  sink = next;
  return previous;
}
