// What cc-helper remembers about a large AWS file it has read whole and found clean: that file,
// byte for byte as identified by the filesystem, has no line the AWS CLI refuses and the plain
// shape the section search (section-search.ts) relies on. Later gets then look only for the
// sections they want instead of checking 50,000 others again (the CLI refuses a whole file for
// one bad line anywhere, so without this every get pays for every line).
//
// A file is the same file while its device, inode, size, modification time and change time (to
// the nanosecond) are: any write, rename over it, chmod or utimes sets the change time to the
// writer's current time, and no program can set it back. Those times come from whoever's clock
// wrote them (a file server's, on NFS or SMB) and some filesystems keep whole seconds, so a write
// in the same clock tick as a read can leave them unchanged ("racy clean", as git calls it).
// Hence a verdict is trusted only once two whole-file reads at least RACY_MARGIN_MS apart, by
// this machine's clock, found the file clean with the same identity: the second read checks what
// the file holds after the first read's tick has passed, and any write after that gets new times.
// The reader also checks the identity again after a search (a write while it searched).
//
// File: `aws-files.json` in cc-helper's folder:
// `{ "version": 1, "files": { "<absolute path>": { "dev", "ino", "size", "mtimeNs", "ctimeNs", "sections", "firstCleanMs", "trusted" } } }`,
// identity numbers as decimal strings (inode numbers and nanoseconds outgrow a double). Nothing
// secret: no names, keys or values from the file. Replaced whole (temp file + rename); a damaged,
// foreign or oversized memo is ignored, which only means reading the whole file again.
import { mkdirSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { readBoundedText } from '../support/bounded-file.js';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { nameRecord } from '../support/name-record.js';
import { writePrivateFileSync } from '../support/private-file.js';
import { warning } from '../support/warning.js';

/** Below this size a file is checked whole on every read: that is cheaper than the memo's own I/O. */
export const MEMO_MIN_BYTES = 64 * 1024;
/** How far apart two clean reads must be (longer than any filesystem's timestamp tick: FAT's is 2 s). */
export const RACY_MARGIN_MS = 3000;
/** The memo is a few KB; anything larger is not ours (or is damaged) and is not read. */
const MAX_MEMO_BYTES = 64 * 1024;
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
  /** When (this machine's clock) the first clean read of this identity started. */
  firstCleanMs: number;
  /** A second clean read at least RACY_MARGIN_MS later saw the same identity. */
  trusted: boolean;
}

export function fileIdentity(stats: BigIntStats): FileIdentity {
  return { dev: String(stats.dev), ino: String(stats.ino), size: String(stats.size), mtimeNs: String(stats.mtimeNs), ctimeNs: String(stats.ctimeNs) };
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

export function cleanFileMemo(env: NodeJS.ProcessEnv = process.env): string {
  return join(ccHelperConfigDir(env), 'aws-files.json');
}

/** The trusted verdict for `path`, if it was made for exactly this file. */
export function recalledCleanFile(path: string, identity: FileIdentity, env: NodeJS.ProcessEnv = process.env): CleanFile | undefined {
  const entry = readMemo(env)[path];
  return entry !== undefined && entry.trusted && sameFile(entry, identity) ? entry : undefined;
}

/**
 * Records a clean whole-file read of `path` (as `identity` describes it, from before the read):
 * the first one for this identity is noted, a second one at least RACY_MARGIN_MS later makes the
 * verdict trusted. Returns whether the memo changed. A folder that cannot be written is no
 * error: the verdict is an optimisation, never a reason to fail a get.
 */
export function rememberCleanFile(path: string, identity: FileIdentity, sections: number, readStartedMs: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const files = readMemo(env);
  const known = files[path];
  let entry: CleanFile;
  if (known && sameFile(known, identity) && known.sections === sections) {
    if (known.trusted || readStartedMs - known.firstCleanMs < RACY_MARGIN_MS) return false;
    entry = { ...known, trusted: true };
  } else {
    entry = { ...identity, sections, firstCleanMs: readStartedMs, trusted: false };
  }
  delete files[path];
  files[path] = entry; // newest last
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
  // Trusted like a cache: a memo someone else could write could vouch for a file it never saw.
  const file = cleanFileMemo(env);
  const read = readBoundedText(file, { maxBytes: MAX_MEMO_BYTES, trusted: { home: env.HOME } });
  if (read.status !== 'read') {
    if (read.status === 'refused') warning(`ignoring ${file}, which ${read.reason}: large AWS files are read whole instead`);
    return files;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text);
  } catch {
    return files; // damaged: nothing remembered
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { version?: unknown }).version !== 1) return files;
  const record = (parsed as { files?: unknown }).files;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return files;
  for (const [path, entry] of Object.entries(record as Record<string, unknown>)) {
    const e = entry as Partial<Record<keyof CleanFile, unknown>> | null;
    if (e === null || typeof e !== 'object') continue;
    const fields = [e.dev, e.ino, e.size, e.mtimeNs, e.ctimeNs];
    if (!fields.every((f) => typeof f === 'string' && DECIMAL.test(f))) continue;
    if (!Number.isSafeInteger(e.sections) || (e.sections as number) < 0 || !Number.isFinite(e.firstCleanMs) || typeof e.trusted !== 'boolean') continue;
    files[path] = {
      dev: e.dev as string,
      ino: e.ino as string,
      size: e.size as string,
      mtimeNs: e.mtimeNs as string,
      ctimeNs: e.ctimeNs as string,
      sections: e.sections as number,
      firstCleanMs: e.firstCleanMs as number,
      trusted: e.trusted,
    };
  }
  return files;
}
