// The credential.* settings git applies to one URL, in the order git applies them, each with the
// file and line it comes from.
//
// Checked on git 2.39: `git config --get-urlmatch credential.helper URL` prints ONE value (the
// most specific section's) and refuses --show-origin, while git itself runs every matching
// helper in config order (an empty value clearing those before it), and for useHttpPath the last
// matching value in config order wins even over a more specific section. So the order and
// origins come from `git config --list --show-origin --show-scope --includes -z`, and git decides
// only which `credential.<pattern>` sections match (patternsMatchingUrls). git names no line
// numbers: they are found by reading each file (the k-th `helper` line of a section in a file is
// the k-th such entry git lists from that file).
import { classifyHelper, patternsMatchingUrls } from '../setup/existing-helpers.js';
import { gitMessage, MAX_GIT_CONFIG_BYTES, runGit, type GitContext } from '../setup/git-run.js';
import { readFileOrThrow } from '../support/bounded-file.js';
import { UserError } from '../support/errors.js';
import type { HelperFact, SettingFact } from './report.js';

export interface CredentialEntry {
  scope: string;
  origin: string;
  file: string | null;
  /** As git lists it: section and name lower-cased, the URL as written. */
  key: string;
  /** The URL pattern, or null for plain `credential.<name>`. */
  pattern: string | null;
  /** `helper` or `usehttppath` (others are not kept). */
  name: 'helper' | 'usehttppath';
  /** undefined for a bare key (boolean true). */
  value: string | undefined;
  line: number | null;
}

/** Every credential.helper / credential.useHttpPath entry git sees from ctx.cwd, in order. */
export async function readCredentialEntries(ctx: GitContext): Promise<CredentialEntry[]> {
  const r = await runGit(['config', '--list', '--show-origin', '--show-scope', '--includes', '-z'], ctx);
  if (r.code !== 0) throw new UserError(`git cannot read your configuration (${gitMessage(r)}): fix it first`);
  const fields = r.stdout.split('\0');
  const entries: CredentialEntry[] = [];
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const record = fields[i + 2]!;
    const nl = record.indexOf('\n');
    const key = utf8(nl < 0 ? record : record.slice(0, nl));
    const m = /^credential\.(?:(.+)\.)?(helper|usehttppath)$/.exec(key);
    if (!m) continue;
    const origin = utf8(fields[i + 1]!);
    entries.push({
      scope: fields[i]!,
      origin,
      file: origin.startsWith('file:') ? origin.slice('file:'.length) : null,
      key,
      pattern: m[1] ?? null,
      name: m[2] as 'helper' | 'usehttppath',
      value: nl < 0 ? undefined : utf8(record.slice(nl + 1)),
      line: null,
    });
  }
  locateLines(entries);
  return entries;
}

export interface UrlCredentialConfig {
  helpers: HelperFact[];
  useHttpPath: SettingFact;
}

/** The entries that apply to `url` (git decides which patterns match), as git would use them. */
export async function credentialConfigFor(entries: readonly CredentialEntry[], url: string, ctx: GitContext): Promise<UrlCredentialConfig> {
  const patterns = [...new Set(entries.map((e) => e.pattern).filter((p): p is string => p !== null))];
  const matching = await patternsMatchingUrls(patterns, [url], ctx);
  return applyEntries(entries.filter((e) => e.pattern === null || matching.has(e.pattern)));
}

/** Pure: the helper list (a reset clears what came before) and the last useHttpPath. */
export function applyEntries(applicable: readonly CredentialEntry[]): UrlCredentialConfig {
  const helpers: HelperFact[] = [];
  let useHttpPath: SettingFact = { value: false, file: null, line: null, key: null };
  for (const e of applicable) {
    if (e.name === 'usehttppath') {
      useHttpPath = { value: parseBool(e.value), file: e.file, line: e.line, key: e.key };
      continue;
    }
    const value = e.value ?? '';
    const { kind } = classifyHelper(value);
    if (kind === 'reset') for (const h of helpers) h.runs = false;
    helpers.push({ value, kind, scope: e.scope, file: e.file, line: e.line, key: e.key, runs: kind !== 'reset' });
  }
  return { helpers, useHttpPath };
}

/** git's boolean: a bare key, true/yes/on or a non-zero number are true. */
export function parseBool(value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'yes' || v === 'on') return true;
  if (/^-?\d+$/.test(v)) return Number(v) !== 0;
  return false;
}

/** Fills `line` for entries from files, by scanning each file's credential sections. */
function locateLines(entries: CredentialEntry[]): void {
  const byFile = new Map<string, CredentialEntry[]>();
  for (const e of entries) if (e.file) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, list] of byFile) {
    let lines: ScannedKey[];
    try {
      lines = scanCredentialKeys(readFileOrThrow(file, MAX_GIT_CONFIG_BYTES, 'utf8'));
    } catch {
      continue; // unreadable now: leave the lines unknown
    }
    const used = new Map<string, number>();
    for (const e of list) {
      const id = `${e.pattern ?? ''}\0${e.name}`;
      const candidates = lines.filter((l) => `${l.pattern ?? ''}\0${l.name}` === id);
      const k = used.get(id) ?? 0;
      used.set(id, k + 1);
      // An included file listed more than once repeats its entries: wrap around.
      if (candidates.length > 0) e.line = candidates[k % candidates.length]!.line;
    }
  }
}

interface ScannedKey {
  pattern: string | null;
  name: string;
  line: number;
}

const HEADER = /^\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/;
const KEY = /^\s*([A-Za-z][A-Za-z0-9-]*)\s*(?:=|$|[#;])/;

/** `helper` and `usehttppath` keys of `[credential]` / `[credential "<url>"]` sections, with lines. */
export function scanCredentialKeys(text: string): ScannedKey[] {
  const found: ScannedKey[] = [];
  let section: { credential: boolean; pattern: string | null } = { credential: false, pattern: null };
  let continued = false;
  text.split('\n').forEach((raw, index) => {
    let line = raw.replace(/\r$/, '');
    const wasContinued = continued;
    continued = /(^|[^\\])(\\\\)*\\$/.test(line);
    if (wasContinued) return;
    const header = HEADER.exec(line);
    if (header) {
      const name = header[1]!.toLowerCase();
      section = { credential: name === 'credential', pattern: header[2] === undefined ? null : header[2].replace(/\\(.)/g, '$1') };
      if (name.startsWith('credential.')) section = { credential: true, pattern: header[1]!.slice('credential.'.length) };
      line = line.slice(header[0].length);
    }
    const key = KEY.exec(line);
    if (!key || !section.credential) return;
    const name = key[1]!.toLowerCase();
    if (name === 'helper' || name === 'usehttppath') found.push({ pattern: section.pattern, name, line: index + 1 });
  });
  return found;
}

function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}
