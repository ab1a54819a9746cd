// The AWS files are INI, but the `ini` package turns a dot in a section name into nesting
// (`[profile client.acme]`) and parses every section of a file that may hold thousands. So we
// locate sections by their header lines and hand only the wanted bodies to `ini`. The same
// line-exact view lets editors replace one section and keep every other byte.
import { decode } from 'ini';

export interface IniSection {
  /** Header text between the brackets, trimmed; '' for lines before the first header. */
  name: string;
  /** Offset of the header line (or 0 for the preamble). */
  start: number;
  /** Offset just past the section's last line (the next header's start, or the file's end). */
  end: number;
  /** Offset where the body begins (after the header line). */
  bodyStart: number;
}

/** A line the AWS tools would refuse too; carries the 1-based line number, never the line. */
export class IniSyntaxError extends Error {
  override name = 'IniSyntaxError';
  constructor(readonly line: number, what: string) {
    super(`line ${line}: ${what}`);
  }
}

/** Lists every section of an INI text in order, with byte-exact (UTF-16 index) boundaries. */
export function listIniSections(text: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection = { name: '', start: 0, end: text.length, bodyStart: 0 };
  scanHeaders(text, (offset, lineEnd) => {
    current.end = offset;
    sections.push(current);
    current = { name: headerName(text, offset), start: offset, end: text.length, bodyStart: bodyStartAfter(text, lineEnd) };
  });
  current.end = text.length;
  sections.push(current);
  return sections;
}

/**
 * Reads the keys of every section named `name` (later sections win, as in the SDKs).
 * Returns undefined when no such section exists.
 */
export function readIniSection(text: string, name: string): Record<string, string> | undefined {
  // Fast path: skip the scan when the header text cannot be there at all.
  if (!text.includes(name)) return undefined;
  // The bodies of the sections named `name`, found without building every section: the wanted
  // profile may be one of thousands. Every header is still checked first, as listIniSections does.
  const bodies: Array<{ bodyStart: number; end: number }> = [];
  let open = name === '' ? 0 : -1; // body start of a wanted section not yet closed (the preamble's name is '')
  scanHeaders(text, (offset, lineEnd) => {
    if (open >= 0) bodies.push({ bodyStart: open, end: offset });
    open = headerName(text, offset) === name ? bodyStartAfter(text, lineEnd) : -1;
  });
  if (open >= 0) bodies.push({ bodyStart: open, end: text.length });
  let found: Record<string, string> | undefined;
  for (const section of bodies) {
    checkBody(text, section);
    const body = decode(text.slice(section.bodyStart, section.end)) as Record<string, unknown>;
    found ??= {};
    for (const [key, value] of Object.entries(body)) {
      // Option names are case-insensitive, as in botocore's configparser.
      if (typeof value === 'string') found[key.trim().toLowerCase()] = value;
      else if (typeof value === 'boolean') found[key.trim().toLowerCase()] = String(value);
    }
  }
  return found;
}

/**
 * A header line, `^[ \t]*\[([^\]\r\n]*)\][ \t]*(?:[#;].*)?\r?$` on the line alone, matched in
 * place at the line's start within the whole text (no slice per line; `.` spelled out).
 */
const HEADER_AT = /[ \t]*\[[^\]\r\n]*\][ \t]*(?:[#;][^\n\r\u2028\u2029]*)?\r?(?=\n|$)/y;

/**
 * Calls `visit` with each header line's offset and end (its LF, or the text's end), in order;
 * throws IniSyntaxError at the first line that starts with `[` but is no header.
 * Only such lines can be headers, so the regex engine finds them instead of a loop visiting every
 * line: 5,000 profiles are 15,000 lines and 5,000 candidates. Lines end at LF only; `^` in
 * multiline mode also matches after a CR (and U+2028/2029), so a candidate must start the text or
 * follow an LF.
 */
function scanHeaders(text: string, visit: (offset: number, lineEnd: number) => void): void {
  const candidates = /^[ \t]*\[/gm;
  for (let match = candidates.exec(text); match; match = candidates.exec(text)) {
    const offset = match.index;
    if (offset > 0 && text.charCodeAt(offset - 1) !== 10) continue;
    HEADER_AT.lastIndex = offset;
    if (!HEADER_AT.test(text)) throw new IniSyntaxError(lineNumberAt(text, offset), 'section header without a closing "]"');
    visit(offset, HEADER_AT.lastIndex);
  }
}

/** The name a header line carries, trimmed: from the line's first `[` to the first `]` after it. */
function headerName(text: string, offset: number): string {
  const open = text.indexOf('[', offset);
  return text.slice(open + 1, text.indexOf(']', open + 1)).trim();
}

function bodyStartAfter(text: string, lineEnd: number): number {
  return lineEnd < text.length ? lineEnd + 1 : text.length;
}

const BODY_LINE = /^(?:[ \t]*|[ \t]*[#;].*|[^=]+=.*|[ \t]+.*)\r?$/;

/** Every body line must be blank, a comment, `key = value` or an indented continuation. */
function checkBody(text: string, section: { bodyStart: number; end: number }): void {
  const lines = text.slice(section.bodyStart, section.end).split('\n');
  lines.forEach((line, i) => {
    // The line number only when reporting: counting lines from the top costs on large files.
    if (!BODY_LINE.test(line)) throw new IniSyntaxError(lineNumberAt(text, section.bodyStart) + i, 'expected "key = value"');
  });
}

function lineNumberAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
