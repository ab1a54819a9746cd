// The AWS shared files (credentials, config) read the way the AWS CLI reads them: botocore's
// configloader.raw_config_parse, which is Python's configparser.RawConfigParser with its
// defaults (strict, `=` and `:` delimiters, `#`/`;` full-line comments only, indented
// continuation lines, a [DEFAULT] section every section inherits). The CLI refuses a whole file
// when any line of it is wrong, so this reader visits every line; it builds values only for the
// sections the caller wants, so a file of 50,000 profiles costs one pass over its text and a set
// of section names, not 50,000 objects.
//
// What the rules are, line by line (Python 3.11 configparser._read; line numbers are 1-based):
// - Lines end at LF, CRLF or a lone CR (Python's universal newlines).
// - Whitespace is Python's (str.isspace): besides space and tab also \v \f \x1c-\x1f \x85 \xa0
//   and the Unicode spaces; U+FEFF is NOT whitespace, so a file starting with a BOM is refused.
// - A line that is blank after stripping, or whose first non-blank character is `#` or `;`, is
//   skipped (a blank line inside a multi-line value adds an empty line to it).
// - A line indented deeper than the line that started the current option continues its value.
// - `[` ... `]` (from the first `[` to the LAST `]`, at least one character between) is a
//   header; text after the last `]` is ignored; the name is not trimmed. A second section of
//   the same name refuses the file; [DEFAULT] may appear twice.
// - Anything else before the first header refuses the file.
// - Otherwise `key = value` or `key: value`, split at the first `=` or `:`; the key is lowercased;
//   a key twice in one section refuses the file; an empty key refuses the file.
// - A value is the stripped text after the delimiter plus its continuation lines joined by LF,
//   trailing blank lines dropped. botocore parses a value whose first line is empty as a nested
//   block (`s3 =` then indented `key = value` lines), and refuses the file when a line of it has
//   no `=`.
// - The file must be valid UTF-8 (the CLI decodes it strictly).
import { isUtf8 } from 'node:buffer';
import { shlexSplit } from '../support/shell-words.js';

/** A line the AWS CLI refuses the whole file for; carries the 1-based line number, never the line. */
export class SharedFileSyntaxError extends Error {
  override name = 'SharedFileSyntaxError';
  constructor(readonly line: number, readonly why: string) {
    super(line > 0 ? `line ${line}: ${why}` : why);
  }
}

/** Option name -> value, with no prototype: names come from files (`__proto__`, `constructor`). */
export type SectionValues = Record<string, string>;

export function emptyValues(): SectionValues {
  return Object.create(null) as SectionValues;
}

export interface ParsedSharedFile {
  /** The wanted sections that exist, by their exact (untrimmed) name, each with [DEFAULT]'s keys inherited. */
  sections: Map<string, SectionValues>;
  /** Names of the wanted sections in file order (a name once: duplicates refuse the file). */
  order: string[];
  /** How many sections the file has besides [DEFAULT]. */
  sectionCount: number;
  /**
   * The file has the plain shape the fast path below checks (every header at the start of its
   * line, no [DEFAULT], no CR, no continuation lines): section-search.ts can search it.
   */
  plain?: boolean;
}

export interface ParseOptions {
  /** Which sections to build values for; called once per header. */
  wanted: (name: string) => boolean;
  /**
   * false: a repeated section continues the first and a repeated key overwrites (configparser's
   * strict=False). For cc-helper's own editor of files it may have to repair; never for reading
   * credentials the CLI would refuse.
   */
  strict?: boolean;
  /** false: leave [DEFAULT]'s keys out of the sections (only to check a rare case). */
  inherit?: boolean;
  /**
   * Text that every wanted section's name contains unless it has quotes or backslashes (shlex):
   * lets a large file skip the sections it cannot want. Without it every line is visited.
   */
  mentions?: string;
  /**
   * Called with every header (its exact name, [DEFAULT] included) and its 1-based line number,
   * in file order: where the sections are, for the credentials file editor.
   */
  onHeader?: (name: string, line: number) => void;
}

const DEFAULT_SECTION = 'DEFAULT';

/** Python's str.isspace for one UTF-16 code unit (no whitespace lies outside the BMP). */
export function isPythonSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f) || (c >= 0x80 && isWideSpace(c));
}

function isWideSpace(c: number): boolean {
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Python's str.strip(): Python's whitespace at both ends. */
export function pythonStrip(s: string): string {
  let from = 0;
  let to = s.length;
  while (from < to && isPythonSpace(s.charCodeAt(from))) from++;
  while (to > from && isPythonSpace(s.charCodeAt(to - 1))) to--;
  return from === 0 && to === s.length ? s : s.slice(from, to);
}

/** An option being read: its lines, and whether botocore will parse it as a nested block. */
interface OpenOption {
  parts: string[] | null; // null: a section nobody wants, only checked
  nested: boolean;
  line: number;
}

/**
 * Parses `text` (already decoded; see decodeSharedFile) with configparser's rules, throwing
 * SharedFileSyntaxError at the first line that makes the AWS CLI refuse the file.
 */
export function parseSharedFile(input: string, options: ParseOptions): ParsedSharedFile {
  const fast = input.length >= FAST_PATH_MIN_CHARS && options.strict !== false && options.inherit !== false && options.onHeader === undefined;
  return (fast && parseSimpleFile(input, options)) || parseLineByLine(input, options);
}

/**
 * Below this size the line-by-line parser is cheaper than compiling the fast path's regexes
 * (V8 compiles a regex on its first use in each process, and the code cache does not keep it).
 */
export const FAST_PATH_MIN_CHARS = 4 * 1024;

// The fast path. Nearly every real file is "simple": LF line ends, every line a header at column
// 0, a `key = value` (or `key: value`) line whose key starts at column 0, a comment or blank, no
// [DEFAULT]. For such a file configparser's rules reduce to: no duplicate section, no duplicate
// key within a section, a header before the first key — and each of those, and the simplicity
// itself, is one scan of native regex code over the text instead of a JS loop over its lines.
// Values are then read by the exact line parser, from the wanted sections only. Anything else
// (and every file with an error, to name the line) takes the exact path.

/** A line that is not simple, found at its start. */
const NOT_SIMPLE_LINE = /(?:^|\n)(?!\[[^\n]+\]|[A-Za-z0-9_][A-Za-z0-9_.-]*[ \t]*[=:]|[ \t]*(?:[#;]|\n|$))/;
/** A key line before the first header. */
const KEY_BEFORE_HEADER = /^(?:[ \t]*(?:[#;][^\n]*)?\n)*[A-Za-z0-9_]/;
/** Header lines (the name runs to the line's last `]`). */
const HEADERS = /^\[[^\n]*\]/gm;
/** A key repeated within one section (ASCII keys, compared case-insensitively as lower() does). */
const DUPLICATE_KEY = /(?:^|\n)([A-Za-z0-9_][A-Za-z0-9_.-]*)[ \t]*[=:][^\n]*(?:\n(?!\[)[^\n]*)*?\n\1[ \t]*[=:]/i;

function parseSimpleFile(text: string, options: ParseOptions): ParsedSharedFile | undefined {
  // U+2028 and U+2029 end lines for the `m` flag's ^ (never for Python): a text with either
  // could grow a header out of a value, so it takes the exact path.
  if (options.mentions === undefined || text.includes('\r') || text.includes('[DEFAULT]') || text.includes('\u2028') || text.includes('\u2029')) return undefined;
  if (NOT_SIMPLE_LINE.test(text) || KEY_BEFORE_HEADER.test(text)) return undefined;
  const headers = text.match(HEADERS) ?? [];
  if (hasRepeats(headers) || DUPLICATE_KEY.test(text)) return undefined; // the exact path names the line
  // Only headers that mention the wanted text (or carry quotes or escapes) can be wanted.
  const escaped = options.mentions.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  const candidates = new RegExp(`^\\[[^\\n]*(?:${escaped}|["'\\\\])[^\\n]*\\]`, 'gm');
  const sections = new Map<string, SectionValues>();
  const order: string[] = [];
  for (const match of text.matchAll(candidates)) {
    const name = match[0].slice(1, -1);
    if (!options.wanted(name)) continue;
    let end = text.indexOf('\n[', match.index!);
    if (end < 0) end = text.length;
    const body = parseLineByLine(text.slice(match.index!, end), { wanted: () => true });
    sections.set(name, body.sections.get(name)!);
    order.push(name);
  }
  return { sections, order, sectionCount: headers.length, plain: true };
}

/**
 * Whether two of `items` are equal. Sorted in place by V8's native sort and compared with the
 * next: for 5,000 headers that costs a quarter of building a Set of them.
 */
function hasRepeats(items: string[]): boolean {
  items.sort();
  for (let i = 1; i < items.length; i++) if (items[i] === items[i - 1]) return true;
  return false;
}

function parseLineByLine(input: string, options: ParseOptions): ParsedSharedFile {
  const strict = options.strict ?? true;
  // Universal newlines: CRLF and a lone CR end lines as LF does (line numbers stay the same).
  const text = input.includes('\r') ? input.replace(/\r\n?/g, '\n') : input;
  const sections = new Map<string, SectionValues>();
  const order: string[] = [];
  const seenSections = new Set<string>();
  const defaults = emptyValues();
  const defaultKeys = new Set<string>();
  /** Nested [DEFAULT] values with a line botocore cannot parse: an error once a section inherits them. */
  const badDefaults = new Map<string, number>();

  let inSection = false; // a header has been seen
  let sectionName = '';
  let values: SectionValues | null = null; // the wanted section's (or [DEFAULT]'s) values
  let keys: string[] = []; // keys of the current (non-DEFAULT) section, for the duplicate check
  let isDefault = false;
  let option: OpenOption | null = null;
  let optionName = '';
  let indentLevel = 0;
  let lineNo = 0;

  const closeOption = () => {
    if (option === null) return;
    if (option.parts !== null && values !== null) values[optionName] = joinValue(option.parts);
    option = null;
  };

  const length = text.length;
  let start = 0;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = length;
    lineNo++;
    const lineStart = start;
    start = end + 1;

    let first = lineStart;
    while (first < end && isPythonSpace(text.charCodeAt(first))) first++;
    if (first === end) {
      // Blank: an empty line inside the open value (dropped again if nothing follows).
      if (option !== null) (option as OpenOption).parts?.push('');
      continue;
    }
    const c = text.charCodeAt(first);
    if (c === 35 /* # */ || c === 59 /* ; */) continue;
    let last = end;
    while (isPythonSpace(text.charCodeAt(last - 1))) last--;
    const indent = first - lineStart;

    if (option !== null && indent > indentLevel) {
      const open = option as OpenOption;
      if (open.parts !== null || open.nested) {
        const part = text.slice(first, last);
        open.parts?.push(part);
        if (open.nested && !nestedLineParses(part)) {
          if (isDefault) badDefaults.set(optionName, lineNo);
          else throw new SharedFileSyntaxError(lineNo, `"${optionName}" starts an indented block whose lines must each be "key = value"`);
        }
      }
      continue;
    }
    indentLevel = indent;

    if (c === 91 /* [ */) {
      const close = text.lastIndexOf(']', last - 1);
      if (close > first + 1) {
        closeOption();
        const name = text.slice(first + 1, close);
        options.onHeader?.(name, lineNo);
        if (name === DEFAULT_SECTION) {
          isDefault = true;
          values = defaults;
        } else {
          isDefault = false;
          if (seenSections.has(name)) {
            if (strict) throw new SharedFileSyntaxError(lineNo, `section [${name}] appears twice`);
            values = sections.get(name) ?? null;
          } else {
            seenSections.add(name);
            if (options.wanted(name)) {
              values = emptyValues();
              sections.set(name, values);
              order.push(name);
            } else {
              values = null;
            }
          }
          keys = [];
        }
        sectionName = name;
        inSection = true;
        continue;
      }
    }
    if (!inSection) throw new SharedFileSyntaxError(lineNo, 'text before the first [section] header');

    // key = value, split at the first `=` or `:`.
    let delimiter = first;
    for (; delimiter < last; delimiter++) {
      const d = text.charCodeAt(delimiter);
      if (d === 61 /* = */ || d === 58 /* : */) break;
    }
    if (delimiter === last) throw new SharedFileSyntaxError(lineNo, 'expected "key = value" (or a [section] header)');
    if (delimiter === first) throw new SharedFileSyntaxError(lineNo, `no key name before "${text[delimiter]}"`);
    let nameEnd = delimiter;
    while (isPythonSpace(text.charCodeAt(nameEnd - 1))) nameEnd--;
    let valueStart = delimiter + 1;
    while (valueStart < last && isPythonSpace(text.charCodeAt(valueStart))) valueStart++;

    closeOption();
    const name = lowerKey(text.slice(first, nameEnd));
    if (isDefault ? defaultKeys.has(name) : keys.includes(name)) {
      if (strict) throw new SharedFileSyntaxError(lineNo, `key "${name}" appears twice in [${sectionName}]`);
    } else if (isDefault) defaultKeys.add(name);
    else keys.push(name);
    if (isDefault) badDefaults.delete(name);
    optionName = name;
    option = { parts: values === null ? null : [text.slice(valueStart, last)], nested: valueStart === last, line: lineNo };
  }
  closeOption();

  if (options.inherit === false) return { sections, order, sectionCount: seenSections.size };
  if (badDefaults.size > 0 && seenSections.size > 0) {
    // botocore parses [DEFAULT]'s block once some section inherits it: any section not setting it.
    for (const [key, line] of badDefaults) {
      if (!everySectionSets(input, key)) throw new SharedFileSyntaxError(line, `"${key}" in [DEFAULT] starts an indented block whose lines must each be "key = value"`);
    }
  }
  for (const sectionValues of sections.values()) {
    for (const key of Object.keys(defaults)) if (!(key in sectionValues)) sectionValues[key] = defaults[key]!;
  }
  return { sections, order, sectionCount: seenSections.size };
}

/** Python's '\n'.join(lines).rstrip(). */
function joinValue(parts: string[]): string {
  const joined = parts.length === 1 ? parts[0]! : parts.join('\n');
  let to = joined.length;
  while (to > 0 && isPythonSpace(joined.charCodeAt(to - 1))) to--;
  return to === joined.length ? joined : joined.slice(0, to);
}

/** Keys are lowercased (configparser's optionxform); ASCII keys skip the Unicode tables. */
function lowerKey(key: string): string {
  return /[A-Z\u0080-\uffff]/.test(key) ? key.toLowerCase() : key;
}

/**
 * One continuation line of a nested block, as botocore's _parse_nested sees it: str.splitlines()
 * also splits at \v \f \x1c-\x1e \x85 U+2028 U+2029, and every non-blank piece needs an `=`.
 */
function nestedLineParses(line: string): boolean {
  return line.split(/[\v\f\x1c-\x1e\x85\u2028\u2029]/).every((piece) => pythonStrip(piece) === '' || piece.includes('='));
}

/** The slow path for a rare case: does every section set `key` itself (not inherit it)? */
function everySectionSets(text: string, key: string): boolean {
  const all = parseLineByLine(text, { wanted: () => true, strict: false, inherit: false });
  return [...all.sections.values()].every((values) => key in values);
}

/** Decodes the file's bytes strictly as UTF-8, keeping a BOM (Python does, and then refuses the file). */
export function decodeSharedFile(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let line = 1;
  for (let from = 0; ; line++) {
    let to = bytes.indexOf(10, from);
    if (to < 0) to = bytes.length;
    if (!isUtf8(bytes.subarray(from, to)) || to === bytes.length) break;
    from = to + 1;
  }
  throw new SharedFileSyntaxError(line, 'not valid UTF-8 (the AWS CLI reads these files as UTF-8)');
}

// ---------------------------------------------------------------------------------------------
// Section names

/**
 * The profile a config-file section defines, as botocore's build_profile_map decides: a name
 * starting with "profile" that shlex splits into exactly two words names the second word
 * (`[profile dev]`, `[profile "dev"]`, `[profile  dev ]`, `[profile default]`); `[default]` is
 * `default`; anything else is no profile.
 */
export function configSectionProfile(section: string): string | undefined {
  if (section === 'default') return 'default';
  if (!section.startsWith('profile')) return undefined;
  const words = shlexSplit(section);
  return words?.length === 2 ? words[1] : undefined;
}

/**
 * The inverse: a config-file header (without its brackets) botocore reads as `profile`:
 * `profile NAME` where shlex leaves it whole, else `profile "NAME"` with `"` and `\\` escaped.
 */
export function configProfileHeader(profile: string): string {
  const plain = `profile ${profile}`;
  return configSectionProfile(plain) === profile ? plain : `profile "${profile.replace(/["\\]/g, '\\$&')}"`;
}

/** Same for `[sso-session NAME]` sections. */
export function configSectionSsoSession(section: string): string | undefined {
  if (!section.startsWith('sso-session')) return undefined;
  const words = shlexSplit(section);
  return words?.length === 2 ? words[1] : undefined;
}

/**
 * A cheap test that lets most config sections skip shlex: could `section` name `profile`?
 * Without quotes or backslashes a match must end with the name (after trailing blanks).
 */
export function mayNameProfile(section: string, profile: string): boolean {
  if (section === 'default') return profile === 'default';
  if (!section.startsWith('profile')) return false;
  if (/["'\\]/.test(section)) return true;
  let end = section.length;
  while (end > 0 && ' \t'.includes(section[end - 1]!)) end--;
  return section.endsWith(profile, end);
}
