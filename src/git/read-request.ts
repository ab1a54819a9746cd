// Reads git's request from stdin: up to EOF or the blank line that ends it, whichever comes
// first (a person typing at a terminal ends with a blank line; git closes the pipe).
// Plain read(2) calls on fd 0 first: creating `process.stdin` (a net.Socket for a pipe) costs
// more than the rest of the read. A stdin that will not read that way (non-blocking, say)
// falls back to the stream, keeping whatever was read so far.
import { readSync } from 'node:fs';
import { MAX_REQUEST_BYTES } from './credential-protocol.js';

export async function readCredentialInput(stream?: NodeJS.ReadableStream): Promise<string> {
  return (await readCredentialBytes(stream)).toString('utf8');
}

/** The request as git sent it, undecoded: the parser decodes each value strictly. */
export async function readCredentialBytes(stream?: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  /** Adds a chunk; true once there is enough to stop reading. */
  const add = (buffer: Buffer): boolean => {
    chunks.push(buffer);
    size += buffer.length;
    // Stop reading (the parser reports the size) rather than buffer without bound.
    if (size > MAX_REQUEST_BYTES) return true;
    const text = Buffer.concat(chunks).toString('latin1');
    return text.startsWith('\n') || text.includes('\n\n') || text.includes('\n\r\n');
  };
  if (stream === undefined) {
    if (readStdinSync(add)) return Buffer.concat(chunks);
    stream = process.stdin;
  }
  for await (const chunk of stream) {
    if (add(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))) break;
  }
  return Buffer.concat(chunks);
}

/** Reads fd 0 synchronously; false when it cannot, so the caller carries on with the stream. */
function readStdinSync(add: (buffer: Buffer) => boolean): boolean {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EOF') return true; // Windows pipes
      return false; // EAGAIN and the like
    }
    if (n === 0 || add(Buffer.from(buffer.subarray(0, n)))) return true;
  }
}
