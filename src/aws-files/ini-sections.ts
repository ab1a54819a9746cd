// Section boundaries of an INI text, line-exact, so the credentials file editor can replace one
// section and keep every other byte; values are read by shared-file-parser.ts (the AWS CLI's rules).
import { parseSharedFile, SharedFileSyntaxError } from './shared-file-parser.js';

export interface IniSection {
  /** The section's name as the AWS CLI reads it (see listIniSections); '' for lines before the first header. */
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

/**
 * Lists every section of an INI text in order, with byte-exact (UTF-16 index) boundaries. Where
 * the sections are is decided by the AWS CLI's rules (shared-file-parser.ts): a header's name runs
 * from its `[` to the line's last `]`, untrimmed (`[a]b]` is `a]b`, `[ dev ]` is ` dev `), and a
 * `[...]` line indented under a key continues that key's value instead of starting a section. So
 * the section the editor replaces is the one botocore reads under that name, and a line the CLI
 * would refuse the file for is an IniSyntaxError here too (lenient only about repeats: strict
 * false, so the editor can repair a duplicate section).
 */
export function listIniSections(text: string): IniSection[] {
  const headers: Array<{ name: string; line: number }> = [];
  try {
    parseSharedFile(text, { wanted: () => false, strict: false, inherit: false, onHeader: (name, line) => headers.push({ name, line }) });
  } catch (error) {
    if (error instanceof SharedFileSyntaxError) throw new IniSyntaxError(error.line, error.why);
    throw error;
  }
  const starts = lineStarts(text);
  const sections: IniSection[] = [];
  let current: IniSection = { name: '', start: 0, end: text.length, bodyStart: 0 };
  for (const { name, line } of headers) {
    const offset = starts[line - 1]!;
    current.end = offset;
    sections.push(current);
    current = { name, start: offset, end: text.length, bodyStart: starts[line] ?? text.length };
  }
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

/** Where each line starts; lines end at LF, CRLF or a lone CR (Python's universal newlines, as the parser counts them). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}
