// Edits one `[profile]` section of the shared credentials file and keeps every other byte.
// No common tool locks ~/.aws/credentials: the AWS CLI's own writer (aws-cli,
// awscli/customizations/configure/writer.py, ConfigFileWriter.update_config) reads the file, then
// reopens it with 'w' and writes it back, with no lock and no temporary file, so a writer racing it
// loses its section and a crash leaves a truncated file. So every edit here: takes a lock next to
// the file, re-reads the file under it, changes the one section in the text, writes a temporary
// file (mode 0600) in the same directory, fsyncs it, renames it over the original (atomic: readers
// see the old or the new file, never a mix), and fsyncs the directory.
//
// The file is edited as the text the AWS CLI reads: UTF-8 (valid UTF-8 decodes and encodes back to
// the same bytes); a file that is not valid UTF-8 (the CLI refuses it) is edited a byte a char
// (latin1). Either way every byte outside the edited section survives, odd line endings and a
// missing final newline included.
//
// Section names: `[NAME]` on a line of its own reads back, by botocore's rules, as exactly NAME
// for any name without a line break (the name runs from `[` to the line's last `]`, so `]`, `#`,
// quotes and edge blanks are carried too); `DEFAULT` cannot be a profile (configparser's section
// every other inherits from). checkSectionName says so before anything is written.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { atomicTempPrefix, writeFileAtomic } from '../support/atomic-file.js';
import { readFileOrThrow } from '../support/bounded-file.js';
import { UserError } from '../support/errors.js';
import { removeFilesIn, withFileLock, type FileLockOptions } from '../support/file-lock.js';
import { checkReplaceable, replaceTargetOf } from '../support/replace-target.js';
import { silentTrace, type Trace } from '../support/trace.js';
import { isoSeconds } from '../support/utc-time.js';
import { IniSyntaxError, listIniSections, readIniSection, type IniSection } from './ini-sections.js';
import { checkProfileName } from './profile-choice.js';

/** Marks a section cc-helper wrote for a session; the value names the vault item. */
export const SESSION_MARKER_KEY = 'x_cc_helper_session';
/** The expiry key saml2aws, gimme-aws-creds and okta-aws-cli write (RFC 3339). */
export const EXPIRY_KEY = 'x_security_token_expires';

/** Edits hold the file lock for milliseconds; a holder silent this long is frozen or gone. */
const EDIT_LOCK_DEFAULTS = { timeoutMs: 20_000, staleMs: 30_000 };
/**
 * An activation may wait for a person to type an MFA code, and the prompt reads /dev/tty
 * synchronously (no heartbeat meanwhile): a killed activator is found by its pid at once, so the
 * age limit only covers pids that cannot be checked and can be long.
 */
const ACTIVATION_LOCK_DEFAULTS = { timeoutMs: 120_000, staleMs: 600_000 };

export interface EditOptions {
  /** Default: credentialsLockPath(file). */
  lockPath?: string;
  lock?: Omit<FileLockOptions, 'trace'>;
  trace?: Trace;
  /**
   * For tests: runs after the temporary file is written and synced, before the rename. A process
   * killed here leaves the original file as it was.
   */
  beforeCommit?: (tempFile: string) => Promise<void> | void;
}

export interface EditResult {
  /** Whether the file was rewritten (false when the section was already exactly so). */
  changed: boolean;
  /** The section's keys before the edit (later duplicates win, as when reading). */
  previous: Record<string, string> | undefined;
  /** How many further sections of the same name were removed. */
  duplicatesRemoved: number;
}

/** The lock guarding edits of `file`: `<file>.cc-helper.lock`, present only while held. */
export function credentialsLockPath(file: string): string {
  return `${file}.cc-helper.lock`;
}

/**
 * The lock an activator holds from "re-read the section" through "STS call" to "write", so N
 * processes activating the same profile make one STS call. Per profile: a slow MFA prompt for one
 * profile does not hold up edits of the others (those take credentialsLockPath, briefly).
 */
export function activationLockPath(file: string, profile: string): string {
  const digest = createHash('sha256').update(profile, 'utf8').digest('hex').slice(0, 16);
  return `${file}.cc-helper-activate-${digest}.lock`;
}

/**
 * Replaces the `[profile]` section (in place; appended at the end when absent), or with
 * `values` undefined removes it. Sections of the same name after the first are removed too:
 * readers disagree on which duplicate wins, so leaving them would keep stale keys alive.
 */
export async function replaceProfileSection(
  file: string,
  profile: string,
  values: Record<string, string> | undefined,
  options: EditOptions = {},
): Promise<EditResult> {
  checkSectionName(profile);
  if (values) checkValues(values);
  return editFileText(file, options, (text, own) => {
    const previous = readSectionOf(text.utf8, profile);
    const ownValues = values && Object.fromEntries(Object.entries(values).map(([k, v]) => [k, own(v)]));
    const { text: next, duplicatesRemoved } = replaceSectionInText(text.own, own(profile), ownValues);
    return { next, result: { previous, duplicatesRemoved } };
  });
}

/** The keys of `[profile]` as the file holds them now, or undefined (no file, no section). */
export async function readProfileSection(file: string, profile: string): Promise<Record<string, string> | undefined> {
  return readSectionOf(await readTextOrEmpty(file, 'utf8'), profile);
}

/**
 * Runs `fn` under the profile's activation lock with the section as it is on disk once the lock
 * is held: whatever another process wrote while this one waited is seen. The callback decides
 * whether to call STS and write (with replaceProfileSection, which takes the edit lock inside).
 */
export async function withProfileActivationLock<T>(
  file: string,
  profile: string,
  fn: (current: Record<string, string> | undefined) => Promise<T>,
  options: { lock?: Omit<FileLockOptions, 'trace'>; trace?: Trace } = {},
): Promise<T> {
  checkSectionName(profile);
  await ensureDirectory(file);
  return withFileLock(activationLockPath(file, profile), async () => fn(await readProfileSection(file, profile)), {
    ...ACTIVATION_LOCK_DEFAULTS,
    purpose: `activating profile "${profile}"`,
    ...options.lock,
    trace: options.trace ?? silentTrace,
  });
}

/** Session values to write: keys, token, RFC 3339 expiry, and the marker naming the vault item. */
export function sessionSectionValues(
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date },
  vaultItem: string,
): Record<string, string> {
  return {
    aws_access_key_id: credentials.accessKeyId,
    aws_secret_access_key: credentials.secretAccessKey,
    aws_session_token: credentials.sessionToken,
    [EXPIRY_KEY]: isoSeconds(credentials.expiration),
    [SESSION_MARKER_KEY]: vaultItem,
  };
}

/** `2030-01-02T03:04:05Z`: whole seconds, rounded down (never later than the real expiry). */
export { isoSeconds as formatRfc3339 };

export interface SessionSectionInfo {
  profile: string;
  /** The vault item named by the marker. */
  item: string;
  /** Undefined when the section has no (readable) expiry. */
  expiresAt: Date | undefined;
  /** True when expiresAt is at or before `now`; a section without a readable expiry is not. */
  expired: boolean;
}

/** The sections cc-helper wrote (they carry SESSION_MARKER_KEY), in file order; no secrets. */
export async function listSessionSections(file: string, now: Date = new Date()): Promise<SessionSectionInfo[]> {
  return listSessionSectionsInText(await readTextOrEmpty(file, 'utf8'), now);
}

export function listSessionSectionsInText(text: string, now: Date = new Date()): SessionSectionInfo[] {
  const seen = new Set<string>();
  const found: SessionSectionInfo[] = [];
  for (const section of parseSections(text)) {
    if (section.name === '') continue; // the lines before the first header
    if (seen.has(section.name) || !hasKey(text.slice(section.bodyStart, section.end), SESSION_MARKER_KEY)) continue;
    seen.add(section.name);
    const values = readSectionOf(text, section.name) ?? {};
    const item = values[SESSION_MARKER_KEY];
    if (item === undefined) continue; // a later duplicate overrode it
    const expiry = values[EXPIRY_KEY] ? new Date(values[EXPIRY_KEY]) : undefined;
    const expiresAt = expiry && !Number.isNaN(expiry.getTime()) ? expiry : undefined;
    found.push({ profile: section.name, item, expiresAt, expired: expiresAt !== undefined && expiresAt.getTime() <= now.getTime() });
  }
  return found;
}

/**
 * Removes the sections cc-helper wrote that expire at or before `now` (plus `marginMs`), and
 * nothing else; decided under the lock on the file as it is then, so a section another process
 * has just renewed stays. `profiles` limits it to those names. Returns the removed names.
 */
export async function pruneExpiredSessionSections(
  file: string,
  options: EditOptions & { now?: Date; marginMs?: number; profiles?: string[] } = {},
): Promise<string[]> {
  const limit = (options.now ?? new Date()).getTime() + (options.marginMs ?? 0);
  const { removed } = await editFileText(file, options, (text, own) => {
    const expired = listSessionSectionsInText(text.utf8, new Date(limit)).filter(
      (s) => s.expired && (!options.profiles || options.profiles.includes(s.profile)),
    );
    let next = text.own;
    for (const section of expired) next = replaceSectionInText(next, own(section.profile), undefined).text;
    return { next, result: { removed: expired.map((s) => s.profile) } };
  });
  return removed;
}

/**
 * The pure edit on a text: replaces the first `[name]` section's header and key lines with a
 * freshly rendered section, keeps the blank and comment lines that end it (they usually belong to
 * the next section), and removes later sections of the same name. `values` undefined removes
 * every `[name]` section. When the file has no such section, the new one goes at the end after a
 * blank line. Line endings follow the text's first line (CRLF stays CRLF).
 *
 * Start and stop round-trip: appending then removing a section gives back the original bytes,
 * a missing final newline included.
 */
export function replaceSectionInText(text: string, name: string, values: Record<string, string> | undefined): { text: string; duplicatesRemoved: number } {
  const eol = lineEndingOf(text);
  const sections = parseSections(text);
  const matches = name === '' ? [] : sections.filter((s) => s.name === name);
  const rendered = values ? renderSection(name, values, eol) : undefined;
  if (matches.length === 0) {
    if (!rendered) return { text, duplicatesRemoved: 0 };
    // A file without a final newline gains just that newline (no blank line): a last section with
    // no blank line before it is how removal knows to take the newline away again.
    // Otherwise always exactly one blank line, even after blank lines already there, so removal
    // knows to take exactly one and the file's own blank lines stay.
    const separator = text === '' ? '' : eol;
    return { text: text + separator + rendered, duplicatesRemoved: 0 };
  }
  // Apply from the last match to the first, so earlier offsets stay valid.
  let next = text;
  for (let i = matches.length - 1; i >= 0; i--) {
    const section = matches[i]!;
    if (i === 0 && rendered) {
      const contentEnd = contentEndOf(text, section);
      next = next.slice(0, section.start) + rendered + next.slice(contentEnd);
    } else {
      const [from, to] = removalSpan(text, section);
      next = next.slice(0, from) + next.slice(to);
    }
  }
  return { text: next, duplicatesRemoved: matches.length - 1 };
}

// ---------------------------------------------------------------------------------------------

/** Reads, edits and atomically rewrites the file under its lock. `edit` gets the latin1 text. */
async function editCredentialsFile<R>(file: string, options: EditOptions, edit: (text: string) => { next: string; result: R }): Promise<R & { changed: boolean }> {
  const trace = options.trace ?? silentTrace;
  await ensureDirectory(file);
  return withFileLock(
    options.lockPath ?? credentialsLockPath(file),
    async () => {
      const target = await replaceTargetOf(file);
      await removeLeftoverTemps(target, trace);
      const { text, exists } = await readBytes(target);
      let outcome: { next: string; result: R };
      try {
        outcome = edit(text);
      } catch (error) {
        if (error instanceof IniSyntaxError) {
          throw new UserError(`cannot parse ${file} (${error.message}): fix that line first; cc-helper does not rewrite a file it cannot read`);
        }
        throw error;
      }
      const changed = outcome.next !== text && (exists || outcome.next !== '');
      if (changed) {
        await checkReplaceable(target, file);
        await writeFileAtomic(target, Buffer.from(outcome.next, 'latin1'), { mode: 0o600, beforeCommit: options.beforeCommit });
        trace(`rewrote ${target} (${outcome.next.length} bytes)`);
      }
      return { ...outcome.result, changed };
    },
    { ...EDIT_LOCK_DEFAULTS, purpose: `editing ${file}`, ...options.lock, trace },
  );
}

/**
 * editCredentialsFile, with the edit working on the file's own text (see the top): `text.own` is
 * what the edit changes and returns, `own(s)` puts a name or value into that text's terms, and
 * `text.utf8` is the text as the AWS CLI decodes it, for reading values.
 */
async function editFileText<R>(
  file: string,
  options: EditOptions,
  edit: (text: { own: string; utf8: string }, own: (s: string) => string) => { next: string; result: R },
): Promise<R & { changed: boolean }> {
  return editCredentialsFile(file, options, (latin1) => {
    const bytes = Buffer.from(latin1, 'latin1');
    if (!isUtf8(bytes)) return edit({ own: latin1, utf8: bytes.toString('utf8') }, toLatin1);
    const { next, result } = edit({ own: bytes.toString('utf8'), utf8: bytes.toString('utf8') }, (s) => s);
    return { next: Buffer.from(next, 'utf8').toString('latin1'), result };
  });
}

/** `~/.aws` (or wherever the file lives) is created with mode 0700 when missing. */
async function ensureDirectory(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
}

/** The AWS shared files of 50,000 profiles are about 5 MB. */
const MAX_AWS_FILE_BYTES = 64 * 1024 * 1024;

async function readBytes(file: string): Promise<{ text: string; exists: boolean }> {
  try {
    return { text: readFileOrThrow(file, MAX_AWS_FILE_BYTES, 'latin1'), exists: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', exists: false };
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

async function readTextOrEmpty(file: string, encoding: BufferEncoding): Promise<string> {
  try {
    return readFileOrThrow(file, MAX_AWS_FILE_BYTES, encoding);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * Temporary files exist only while their writer holds the lock, and we hold it now: any left are
 * from a writer that was killed before its rename.
 */
async function removeLeftoverTemps(target: string, trace: Trace): Promise<void> {
  const prefix = atomicTempPrefix(target);
  for (const path of await removeFilesIn(dirname(target), (name) => name.startsWith(prefix) && name.endsWith('.tmp'))) {
    trace(`removed ${path}, left by a writer that was stopped before it finished`);
  }
}

function readSectionOf(text: string, profile: string): Record<string, string> | undefined {
  try {
    return readIniSection(text, profile);
  } catch (error) {
    if (error instanceof IniSyntaxError) throw new UserError(`cannot parse the credentials file (${error.message}): fix that line; the AWS CLI would refuse it too`);
    throw error;
  }
}

function parseSections(text: string): IniSection[] {
  return listIniSections(text);
}

/** The name as it appears in the latin1 view of a UTF-8 file. */
function toLatin1(name: string): string {
  return Buffer.from(name, 'utf8').toString('latin1');
}

function lineEndingOf(text: string): string {
  const newline = text.indexOf('\n');
  return newline > 0 && text[newline - 1] === '\r' ? '\r\n' : '\n';
}

function renderSection(name: string, values: Record<string, string>, eol: string): string {
  let out = `[${name}]${eol}`;
  for (const [key, value] of Object.entries(values)) out += `${key} = ${value}${eol}`;
  return out;
}

const BLANK = /^[ \t]*\r?\n?$/;
const BLANK_OR_COMMENT = /^[ \t]*(?:[#;].*)?\r?\n?$/;

/** The lines of text[from, to), each with its end offset (past its LF). */
function linesOf(text: string, from: number, to: number): Array<{ start: number; end: number; line: string }> {
  const lines: Array<{ start: number; end: number; line: string }> = [];
  let offset = from;
  while (offset < to) {
    const newline = text.indexOf('\n', offset);
    const end = newline < 0 || newline >= to ? to : newline + 1;
    lines.push({ start: offset, end, line: text.slice(offset, end) });
    offset = end;
  }
  return lines;
}

/** Just past the section's last line that is neither blank nor a comment (at least the header). */
function contentEndOf(text: string, section: IniSection): number {
  let end = section.bodyStart;
  for (const { end: lineEnd, line } of linesOf(text, section.bodyStart, section.end)) {
    if (!BLANK_OR_COMMENT.test(line)) end = lineEnd;
  }
  return end;
}

/**
 * What removing a section takes away: its header and key lines, plus the blank lines after them
 * (the separator), keeping comments that introduce whatever follows. A last section that only
 * blank lines follow takes what appending put before it instead: one blank line, or (none there)
 * the newline it added to a file that had none.
 */
function removalSpan(text: string, section: IniSection): [number, number] {
  const contentEnd = contentEndOf(text, section);
  const trailing = linesOf(text, contentEnd, section.end);
  if (section.end === text.length && trailing.every((l) => BLANK.test(l.line))) {
    let from = section.start;
    if (from > 0) {
      // The line before: from just past the LF before its own LF (text[from - 1]) up to `from`.
      // (lastIndexOf with a negative start still looks at index 0: walking back with it on a file
      // opening with "\n" once stood still forever, issue 11 item 3.)
      const previousStart = from === 1 ? 0 : text.lastIndexOf('\n', from - 2) + 1;
      if (BLANK.test(text.slice(previousStart, from))) from = previousStart; // the blank line appending added
      else from -= text[from - 2] === '\r' ? 2 : 1; // appended to a file without a final newline: take that newline again
    }
    return [from, section.end];
  }
  let to = contentEnd;
  for (const { end, line } of trailing) {
    if (!BLANK.test(line)) break;
    to = end;
  }
  return [section.start, to];
}

function hasKey(body: string, key: string): boolean {
  return new RegExp(`^[ \\t]*${key.replace(/[.]/g, '\\.')}[ \\t]*=`, 'm').test(body);
}

/**
 * A name `[NAME]` carries into the credentials file so that the AWS CLI reads it back exactly
 * (see the top of this file); throws the UserError that says why not. vault add calls it too,
 * before storing anything for a profile no session could be written for.
 */
export function checkSectionName(profile: string): void {
  checkProfileName(profile);
  if (profile === 'DEFAULT') {
    throw new UserError(
      'a profile named "DEFAULT" cannot live in the credentials file: [DEFAULT] there is the section every other one inherits keys from ' +
        '(Python\'s configparser, which the AWS CLI reads it with), not a profile; use another name',
    );
  }
}

/**
 * What goes into the file must read back as written by every reader of it: botocore's
 * configparser strips edge blanks and joins indented lines; the `ini` package (and readers like
 * it) cuts at `#` or `;`, turns `\;` into `;`, and JSON-unquotes a value in quotes, so a token
 * `"a\nb"` would come back with a real line break. Such a value is refused, never corrupted:
 * real keys, tokens (base64) and RFC 3339 times never hold any of it.
 */
const ROUND_TRIPS = /^[^\s"'#;\\\x00-\x1f\x7f](?:[^#;\\\x00-\x1f\x7f]*[^\s"'#;\\\x00-\x1f\x7f])?$/;

function checkValues(values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values)) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(key)) throw new Error(`not a credentials file key: ${JSON.stringify(key)}`);
    // The value is never shown: it may be a secret.
    if (!ROUND_TRIPS.test(value)) {
      throw new UserError(
        `refusing to write ${key} into the credentials file: the value is empty or holds a line break, control character, edge blank, ` +
          'quote, #, ; or \\ that the AWS CLI or cc-helper would read back differently; nothing was changed ' +
          '(if it came from STS, its answer is malformed: try again later)',
      );
    }
  }
}
