// Finds the wanted sections of an AWS file already known to be clean and plain (clean-file-memo):
// every header at the start of its line, no [DEFAULT], no CR, no continuation lines, no quotes or
// backslashes in headers. In such a file a section runs from its header to the next "\n[", and a
// header that can name the wanted profile contains the profile's name, so a native byte search
// for the name finds every candidate. The file passes through one 64 KiB buffer, cut at section
// boundaries, so memory stays flat however large the file is; only the wanted sections are
// decoded and parsed (by the exact parser).
//
// The memo says the file was plain when it was read whole; the search does not take its word for
// the bytes it reads now (a forged memo entry, or a write through a shared mmap that leaves the
// file's identity as it was, would make them differ). Whatever would make it choose another
// section than the full parse — a header it cannot find by the name (quotes or backslashes,
// shlex-style: `[profile 'c''c']` names "cc"; an indented header), a CR (Python ends lines
// there too), a [DEFAULT] whose keys every section inherits — it checks in the bytes themselves,
// and gives up on seeing it: the whole file is then read and parsed, as the AWS CLI reads it.
import { readSync } from 'node:fs';
import { parseSharedFile, type ParsedSharedFile, type SectionValues } from './shared-file-parser.js';

const CHUNK = 64 * 1024;
const NEWLINE = 10;
const BRACKET = 91;
const CR = 13;
/** Searched without its `[`: a needle that starts with a byte every header starts with costs 25 times more. */
const DEFAULT_HEADER_TAIL = Buffer.from('DEFAULT]');
/** Bytes that let shlex (config-file headers) name a profile its name's bytes do not spell. */
const QUOTING = [0x22, 0x27, 0x5c]; // " ' \\

/**
 * Whether the line starting at `lineStart` opens with `[` after blanks: a header, or an indented
 * line that configparser may read as one. Every byte that is not ASCII counts as a blank here
 * (Python's whitespace includes U+00A0, U+3000, ...): when in doubt, the full parse decides.
 */
function bracketLine(buffer: Buffer, lineStart: number, end: number): boolean {
  let i = lineStart;
  while (i < end) {
    const c = buffer[i]!;
    if (c === 32 || (c >= 9 && c <= 13 && c !== NEWLINE) || (c >= 0x1c && c <= 0x1f) || c >= 0x80) i++;
    else break;
  }
  return i < end && buffer[i] === BRACKET;
}

/** Whether the bytes before `cut` hold something that would let the search choose another section than the full parse. */
function notSearchable(buffer: Buffer, cut: number): boolean {
  const before = (at: number) => at >= 0 && at < cut;
  if (before(buffer.indexOf(CR))) return true;
  for (let at = buffer.indexOf(DEFAULT_HEADER_TAIL, 1); before(at); at = buffer.indexOf(DEFAULT_HEADER_TAIL, at + 1)) {
    if (buffer[at - 1] === BRACKET) return true;
  }
  for (const byte of QUOTING) {
    for (let at = buffer.indexOf(byte); before(at); at = buffer.indexOf(byte, at + 1)) {
      const lineStart = at === 0 ? 0 : buffer.lastIndexOf(NEWLINE, at - 1) + 1;
      if (bracketLine(buffer, lineStart, at)) return true; // a header (or what may read as one) with quotes or escapes
    }
  }
  return false;
}

/**
 * The wanted sections among the first `size` bytes of the file open at `fd`, or undefined when
 * they hold a wanted name twice or anything the search cannot be sure to read as the full parse
 * does (see above): the full read then says what the AWS CLI says about it.
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
    if (notSearchable(buffer.subarray(0, end), cut)) return undefined;
    let lastHeader = -1;
    for (let at = buffer.indexOf(needle); at >= 0 && at < cut; at = buffer.indexOf(needle, at + 1)) {
      const lineStart = at === 0 ? 0 : buffer.lastIndexOf(NEWLINE, at - 1) + 1;
      // The name inside an indented bracket line: a header or a continuation, as configparser decides.
      if (buffer[lineStart] !== BRACKET) {
        if (bracketLine(buffer, lineStart, at)) return undefined;
        continue;
      }
      if (lineStart === lastHeader) continue;
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
