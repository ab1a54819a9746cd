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

const HEADER = /^[ \t]*\[([^\]\r\n]*)\][ \t]*(?:[#;].*)?\r?$/;
const LOOKS_LIKE_HEADER = /^[ \t]*\[/;

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
  let offset = 0;
  let lineNumber = 0;
  while (offset < text.length) {
    lineNumber++;
    const newline = text.indexOf('\n', offset);
    const lineEnd = newline < 0 ? text.length : newline + 1;
    const line = text.slice(offset, newline < 0 ? text.length : newline);
    const header = HEADER.exec(line);
    if (!header && LOOKS_LIKE_HEADER.test(line)) throw new IniSyntaxError(lineNumber, 'section header without a closing "]"');
    if (header) {
      current.end = offset;
      sections.push(current);
      current = { name: header[1]!.trim(), start: offset, end: text.length, bodyStart: lineEnd };
    }
    offset = lineEnd;
  }
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
  let found: Record<string, string> | undefined;
  for (const section of listIniSections(text)) {
    if (section.name !== name) continue;
    checkBody(text, section);
    const body = decode(text.slice(section.bodyStart, section.end)) as Record<string, unknown>;
    found ??= {};
    for (const [key, value] of Object.entries(body)) {
      if (typeof value === 'string') found[key.trim()] = value;
      else if (typeof value === 'boolean') found[key.trim()] = String(value);
    }
  }
  return found;
}

const BODY_LINE = /^(?:[ \t]*|[ \t]*[#;].*|[^=]+=.*|[ \t]+.*)\r?$/;

/** Every body line must be blank, a comment, `key = value` or an indented continuation. */
function checkBody(text: string, section: IniSection): void {
  const firstLine = lineNumberAt(text, section.bodyStart);
  const lines = text.slice(section.bodyStart, section.end).split('\n');
  lines.forEach((line, i) => {
    if (!BODY_LINE.test(line)) throw new IniSyntaxError(firstLine + i, 'expected "key = value"');
  });
}

function lineNumberAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
