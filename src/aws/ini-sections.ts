// Section boundaries of an INI text, line-exact, so the credentials file editor can replace one
// section and keep every other byte; values are read by shared-file-parser.ts (the AWS CLI's rules).
import { parseSharedFile, SharedFileSyntaxError } from './shared-file-parser.js';

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
 * Reads the own keys of the section `name` (a repeated section continues the first, later keys
 * win), with the AWS CLI's line rules and values taken raw, as botocore takes them (no unquoting,
 * no inline comments). For the editor, which must read files it may have to repair; readers of
 * credentials use readSharedFile, which refuses what the CLI refuses.
 * Returns undefined when no such section exists.
 */
export function readIniSection(text: string, name: string): Record<string, string> | undefined {
  let parsed;
  try {
    parsed = parseSharedFile(text, { wanted: (section) => section === name, strict: false, inherit: false });
  } catch (error) {
    if (error instanceof SharedFileSyntaxError) throw new IniSyntaxError(error.line, error.why);
    throw error;
  }
  const values = parsed.sections.get(name);
  // A plain object for callers; fromEntries defines `__proto__` as an own key, never a prototype.
  return values && Object.fromEntries(Object.entries(values));
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

function lineNumberAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
