// Finds the wanted sections of an AWS file already known to be clean and plain (clean-file-memo):
// every header at the start of its line, no [DEFAULT], no CR, no continuation lines, no quotes or
// backslashes in headers. In such a file a section runs from its header to the next "\n[", and a
// header that can name the wanted profile contains the profile's name, so a native byte search
// for the name finds every candidate. The file passes through one 64 KiB buffer, cut at section
// boundaries, so memory stays flat however large the file is; only the wanted sections are
// decoded and parsed (by the exact parser).
import { readSync } from 'node:fs';
import { parseSharedFile, type ParsedSharedFile, type SectionValues } from './shared-file-parser.js';

const CHUNK = 64 * 1024;
const NEWLINE = 10;
const BRACKET = 91;

/**
 * The wanted sections among the first `size` bytes of the file open at `fd`, or undefined when they hold a wanted name twice: the full read then says what the AWS
 * CLI says about it.
 */
export function searchSections(fd: number, mentions: string, wanted: (name: string) => boolean, sectionCount: number, size: number): ParsedSharedFile | undefined {
  const needle = Buffer.from(mentions, 'utf8');
  const sections = new Map<string, SectionValues>();
  const order: string[] = [];
  let buffer = Buffer.allocUnsafe(CHUNK);
  let kept = 0; // bytes at the buffer's start carried over from the last read (an unfinished section)
  let position = 0; // read by position, so the file's own offset stays at 0 for a whole read after
  for (;;) {
    // Never past `size`, the file's size when it was found clean: nothing beyond was checked.
    const read = position < size ? readSync(fd, buffer, kept, Math.min(buffer.length - kept, size - position), position) : 0;
    position += read;
    const end = kept + read;
    // Whole sections only: up to the last header start, unless the file has ended. (Searches
    // below may look past `end` into old bytes; every position they find is checked against `cut`.)
    const cut = read === 0 ? end : buffer.subarray(0, end).lastIndexOf('\n[') + 1;
    if (read > 0 && cut <= 0) {
      if (end === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2); // one section larger than the buffer
        buffer.copy(larger, 0, 0, end);
        buffer = larger;
      }
      kept = end;
      continue;
    }
    let lastHeader = -1;
    for (let at = buffer.indexOf(needle); at >= 0 && at < cut; at = buffer.indexOf(needle, at + 1)) {
      const lineStart = at === 0 ? 0 : buffer.lastIndexOf(NEWLINE, at - 1) + 1;
      if (buffer[lineStart] !== BRACKET || lineStart === lastHeader) continue;
      lastHeader = lineStart;
      let lineEnd = buffer.indexOf(NEWLINE, at);
      if (lineEnd < 0 || lineEnd > cut) lineEnd = cut;
      const line = buffer.toString('utf8', lineStart, lineEnd);
      const close = line.lastIndexOf(']');
      if (close < 2) continue;
      const name = line.slice(1, close);
      if (!wanted(name)) continue;
      if (sections.has(name)) return undefined;
      let sectionEnd = buffer.indexOf('\n[', lineEnd);
      sectionEnd = sectionEnd < 0 || sectionEnd >= cut ? cut : sectionEnd + 1;
      const parsed = parseSharedFile(buffer.toString('utf8', lineStart, sectionEnd), { wanted: () => true });
      sections.set(name, parsed.sections.get(name)!);
      order.push(name);
    }
    if (read === 0) break;
    buffer.copy(buffer, 0, cut, end);
    kept = end - cut;
  }
  return { sections, order, sectionCount };
}
