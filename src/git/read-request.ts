// Reads git's request from stdin: up to EOF or the blank line that ends it, whichever comes
// first (a person typing at a terminal ends with a blank line; git closes the pipe).
import { MAX_REQUEST_BYTES } from './credential-protocol.js';

export async function readCredentialInput(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buffer);
    size += buffer.length;
    // Stop reading (the parser reports the size) rather than buffer without bound.
    if (size > MAX_REQUEST_BYTES) break;
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.startsWith('\n') || text.includes('\n\n') || text.includes('\n\r\n')) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}
