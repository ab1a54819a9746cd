// The one way cc-helper replaces a file whole: a temporary file in the same folder (so the rename
// stays on one filesystem), created exclusively, given the caller's mode with fchmod (the umask
// does not narrow it), written in full, fsynced, closed, renamed over the target (rename(2) is
// atomic: a reader sees the old file or the new one, never a mix), then the folder is fsynced so
// the rename itself survives a crash (POSIX fsync(2); Windows cannot open a folder for that). On
// any failure the temporary file is removed and the target is left exactly as it was.
//
// The path given is the path replaced: a symlink there is replaced by the new file. Callers that
// keep links (the credentials file, the vault, git config) resolve them first
// (support/replace-target.ts, or realpath as git's lockfile.c does). Ownership is the writer's,
// as with every writer before this one; line endings and encodings are the caller's bytes.
//
// Synchronous on purpose: the large-file memo writes from the hot bundle, where an async writer
// would cost promise machinery for nothing, and the async callers hold a lock around a write of a
// few KB. Nothing here loads node:crypto (the hot path does not): the temp name's pid plus random
// part plus counter is unique enough, and O_EXCL ('wx') makes a collision an error, never a share.
//
// Why not `write-file-atomic` (npm, 7.x, read in node_modules/write-file-atomic/lib/index.js): it
// fsyncs the file but never the folder; its temp file is opened with 'w' (no O_EXCL), named from a
// murmurhash of pid and an in-process counter; it loads `signal-exit` (exit handlers on the hot
// path) and is CommonJS; and it cannot take git's fixed `<file>.lock` name, which setup must use
// so that git and cc-helper exclude each other (git's lockfile.h: `<file>.lock` created with
// O_EXCL, written, renamed over the file).
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Permission bits of the new file (0600 private, 0644 git config, or the old file's mode). */
  mode: number;
  /** For string data; default utf8. */
  encoding?: BufferEncoding;
}

let counter = 0;

/**
 * Every temp file for `target` starts with this (in the target's folder), so a writer holding a
 * lock can sweep the ones a killed writer left (aws-files/credentials-file-editor.ts does).
 */
export function atomicTempPrefix(target: string): string {
  return `.${basename(target)}.cc-helper-`;
}

function tempPathFor(target: string): string {
  const unique = `${process.pid}-${Math.random().toString(16).slice(2, 10)}${(++counter).toString(16)}`;
  return join(dirname(target), `${atomicTempPrefix(target)}${unique}.tmp`);
}

/**
 * A replacement in progress: the temporary file exists (and is open) from `begin` until `commit`
 * renames it over the target or `abort` removes it. For writers that must claim the temp name
 * before they know the content (git's lock protocol), and for tests that stop between write and
 * rename; everyone else calls writeFileAtomicSync / writeFileAtomic.
 */
export class PendingFile {
  #fd: number | undefined;

  private constructor(
    readonly target: string,
    readonly temp: string,
    fd: number,
  ) {
    this.#fd = fd;
  }

  /** Creates the temp file exclusively (default: a fresh name beside `target`; or `temp`, e.g. `<file>.lock`). */
  static begin(target: string, mode: number, temp: string = tempPathFor(target)): PendingFile {
    const fd = openSync(temp, 'wx', mode);
    try {
      fchmodSync(fd, mode); // whatever the umask
    } catch (error) {
      closeSync(fd);
      removeQuietly(temp);
      throw error;
    }
    return new PendingFile(target, temp, fd);
  }

  /** Writes all of `data`, fsyncs and closes the temp file; the target is not touched yet. */
  write(data: string | Uint8Array, encoding: BufferEncoding = 'utf8'): void {
    const fd = this.#fd;
    if (fd === undefined) throw new Error(`${this.temp} is already closed`);
    try {
      if (typeof data === 'string') writeFileSync(fd, data, encoding);
      else writeFileSync(fd, data);
      fsyncSync(fd);
    } catch (error) {
      this.abort();
      throw error;
    }
    this.#fd = undefined;
    closeSync(fd);
  }

  /** Renames the written temp file over the target and makes that durable. */
  commit(): void {
    if (this.#fd !== undefined) throw new Error(`${this.temp} was not written`);
    try {
      renameSync(this.temp, this.target);
    } catch (error) {
      this.abort();
      throw error;
    }
    syncFolder(dirname(this.target));
  }

  /** Gives up: closes and removes the temp file; the target stays as it was. Never throws. */
  abort(): void {
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd);
      } catch {
        // already gone
      }
      this.#fd = undefined;
    }
    removeQuietly(this.temp);
  }
}

/** Replaces `target` with `data` (see the top). */
export function writeFileAtomicSync(target: string, data: string | Uint8Array, options: AtomicWriteOptions): void {
  const pending = PendingFile.begin(target, options.mode);
  pending.write(data, options.encoding);
  pending.commit();
}

/**
 * The same, for async callers; `beforeCommit` runs after the temp file is written and synced,
 * before the rename (tests stop or kill a writer there).
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions & { beforeCommit?: (temp: string) => Promise<void> | void },
): Promise<void> {
  const pending = PendingFile.begin(target, options.mode);
  pending.write(data, options.encoding);
  try {
    await options.beforeCommit?.(pending.temp);
  } catch (error) {
    pending.abort();
    throw error;
  }
  pending.commit();
}

/** fsync(2) on the folder makes a rename in it durable; Windows cannot open a folder, and some filesystems refuse (EINVAL): best effort. */
function syncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // never created, or already renamed away
  }
}
