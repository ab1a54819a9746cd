// What cc-helper remembers about a large AWS file it has read whole and found clean: that file,
// byte for byte as identified by the filesystem, has no line the AWS CLI refuses and the plain
// shape the section search (section-search.ts) relies on. The next `get` then looks only for the
// sections it wants instead of checking 50,000 others again (the CLI refuses a whole file for one
// bad line anywhere, so without this every get pays for every line).
//
// A file is the same file while its device, inode, size, modification time and change time (to
// the nanosecond) are. Any write, rename over it, chmod or utimes sets the change time to the
// current time, and a program cannot set it back. The one gap is a write in the same clock tick
// as the check that was remembered ("racy clean", as git calls it); so a verdict is kept only for
// a file unchanged for RACY_MARGIN_MS before cc-helper started reading it.
//
// File: `aws-files.json` in cc-helper's folder:
// `{ "version": 1, "files": { "<absolute path>": { "dev", "ino", "size", "mtimeNs", "ctimeNs", "sections" } } }`,
// numbers as decimal strings (inode numbers and nanoseconds outgrow a double). Nothing secret:
// no names, keys or values from the file. Replaced whole (temp file + rename); a damaged or
// foreign entry is ignored, which only means reading the whole file again.
import { mkdirSync, readFileSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { nameRecord } from '../support/name-record.js';
import { writePrivateFileSync } from '../support/private-file.js';

/** Below this size a file is checked whole on every read: that is cheaper than the memo's own I/O. */
export const MEMO_MIN_BYTES = 64 * 1024;
/** How long a file must have been left alone before its verdict is remembered. */
export const RACY_MARGIN_MS = 2000;
/** A few AWS files per person (credentials, config, a tool's copies): keep the memo small. */
const MAX_FILES = 16;

export interface FileIdentity {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}

export interface CleanFile extends FileIdentity {
  /** How many sections the file has besides [DEFAULT] (reported as the full read reports it). */
  sections: number;
}

export function fileIdentity(stats: BigIntStats): FileIdentity {
  return { dev: String(stats.dev), ino: String(stats.ino), size: String(stats.size), mtimeNs: String(stats.mtimeNs), ctimeNs: String(stats.ctimeNs) };
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

export function cleanFileMemo(env: NodeJS.ProcessEnv = process.env): string {
  return join(ccHelperConfigDir(env), 'aws-files.json');
}

/** The remembered verdict for `path`, if it was made for exactly this file. */
export function recalledCleanFile(path: string, identity: FileIdentity, env: NodeJS.ProcessEnv = process.env): CleanFile | undefined {
  const entry = readMemo(env)[path];
  return entry !== undefined && sameFile(entry, identity) ? entry : undefined;
}

/**
 * Remembers that the file at `path`, as `identity` describes it, read clean. Skipped (false) while
 * the file is too young to trust its times, or when cc-helper's folder cannot be written: the
 * verdict is an optimisation, never a reason to fail a get.
 */
export function rememberCleanFile(path: string, identity: FileIdentity, sections: number, readStartedMs: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const changedMs = Number(BigInt(identity.ctimeNs) / 1_000_000n);
  const modifiedMs = Number(BigInt(identity.mtimeNs) / 1_000_000n);
  if (Math.max(changedMs, modifiedMs) > readStartedMs - RACY_MARGIN_MS) return false;
  const files = readMemo(env);
  delete files[path];
  files[path] = { ...identity, sections }; // newest last
  const paths = Object.keys(files);
  for (const old of paths.slice(0, Math.max(0, paths.length - MAX_FILES))) delete files[old];
  try {
    mkdirSync(ccHelperConfigDir(env), { recursive: true, mode: 0o700 });
    writePrivateFileSync(cleanFileMemo(env), JSON.stringify({ version: 1, files }) + '\n');
    return true;
  } catch {
    return false;
  }
}

const DECIMAL = /^\d{1,30}$/;

function readMemo(env: NodeJS.ProcessEnv): Record<string, CleanFile> {
  const files = nameRecord<CleanFile>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(cleanFileMemo(env), 'utf8'));
  } catch {
    return files; // absent or damaged: nothing remembered
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { version?: unknown }).version !== 1) return files;
  const record = (parsed as { files?: unknown }).files;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return files;
  for (const [path, entry] of Object.entries(record as Record<string, unknown>)) {
    const e = entry as Partial<Record<keyof CleanFile, unknown>> | null;
    if (e === null || typeof e !== 'object') continue;
    const fields = [e.dev, e.ino, e.size, e.mtimeNs, e.ctimeNs];
    if (!fields.every((f) => typeof f === 'string' && DECIMAL.test(f)) || !Number.isSafeInteger(e.sections) || (e.sections as number) < 0) continue;
    files[path] = { dev: e.dev as string, ino: e.ino as string, size: e.size as string, mtimeNs: e.mtimeNs as string, ctimeNs: e.ctimeNs as string, sections: e.sections as number };
  }
  return files;
}
