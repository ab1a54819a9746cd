// Writes the protocol answer to stdout with plain write(2) calls: creating `process.stdout`
// (a net.Socket for git's pipe) costs more than the write. A stdout that will not take it that
// way (non-blocking, say) gets the rest through the stream.
import { writeSync } from 'node:fs';

export function writeAnswer(answer: string): void {
  const bytes = Buffer.from(answer);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(1, bytes, offset);
  } catch {
    process.stdout.write(bytes.subarray(offset));
  }
}
