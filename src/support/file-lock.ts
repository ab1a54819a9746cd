// A cross-process lock on one path that survives a killed holder. Node has no flock(), so the
// lock is a file created atomically (written under a private name, then hard-linked to the lock
// path: link() fails with EEXIST when the lock is held, and the lock never appears half-written).
// It holds the holder's pid, host name, a random token and what it is doing; the holder touches
// its mtime while it runs (a heartbeat), so the mtime is the lock's last sign of life.
//
// A waiter breaks the lock when its holder is gone: same host and `kill(pid, 0)` says ESRCH, or
// no heartbeat for `staleMs` (a reused pid, a holder on another host sharing the directory, a
// frozen process). Breaking is itself serialised by a second lock file (`<lock>.break`): under
// it the waiter re-reads the lock and removes it only if it is still the very lock it judged
// stale (same inode, same token, still stale). So two waiters that both saw a dead holder cannot
// both remove a lock and then both enter: the second one finds a different (live) lock, or none.
import { randomBytes } from 'node:crypto';
import { constants, unlinkSync } from 'node:fs';
import { link, mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { readBoundedText } from './bounded-file.js';
import { UserError } from './errors.js';
import { silentTrace, type Trace } from './trace.js';

/** A lock file holds a pid, a host name, a token and a purpose: a few hundred bytes. */
const MAX_LOCK_INFO_BYTES = 16 * 1024;

export interface FileLockOptions {
  /** Give up waiting after this long, with a UserError naming the lock file. Default 30 s. */
  timeoutMs?: number;
  /**
   * A lock whose holder has shown no sign of life (heartbeat) for this long is broken even if
   * its pid still answers. Default 60 s. The heartbeat is a timer: a holder that blocks its event
   * loop (a synchronous prompt) stops beating, so make this longer than such a block can last.
   */
  staleMs?: number;
  /** Shown to waiters that time out, e.g. `activating profile "acme"`. */
  purpose?: string;
  trace?: Trace;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
export const DEFAULT_LOCK_STALE_MS = 60_000;

/** What the lock file holds (JSON). Nothing secret. */
export interface LockInfo {
  pid: number;
  hostname: string;
  token: string;
  /** When the holder took the lock (ISO 8601). */
  since: string;
  purpose?: string;
}

/** A lock found on disk. `info` is undefined when the file is empty or unreadable. */
interface Holder {
  info: LockInfo | undefined;
  ino: number;
  mtimeMs: number;
}

/** A holder that breaks off between creating and filling the lock (fallback path) gets this long. */
const EMPTY_LOCK_GRACE_MS = 2_000;
/** Breaking takes microseconds; a `.break` file older than this belongs to a killed breaker. */
const BREAKER_STALE_MS = 5_000;
const FIRST_DELAY_MS = 5;
const MAX_DELAY_MS = 200;

const thisHost = hostname();
/** Locks held by this process: removed on a synchronous `process.exit()` too. */
const heldLocks = new Map<string, string>();
let exitHookInstalled = false;

/**
 * Runs `fn` while holding the lock at `lockPath` (created, and its directory with mode 0700 when
 * missing), then releases it, also when `fn` throws. Not reentrant: a nested call for the same
 * path in the same process waits for itself and times out.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T> | T, options: FileLockOptions = {}): Promise<T> {
  const handle = await acquireFileLock(lockPath, options);
  try {
    return await fn();
  } finally {
    await handle.release();
  }
}

export interface FileLockHandle {
  readonly lockPath: string;
  /** Removes the lock if it is still ours (it is not when a waiter judged it stale). */
  release(): Promise<void>;
}

export async function acquireFileLock(lockPath: string, options: FileLockOptions = {}): Promise<FileLockHandle> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
  const trace = options.trace ?? silentTrace;
  const started = performance.now();
  const info: LockInfo = { pid: process.pid, hostname: thisHost, token: randomBytes(12).toString('hex'), since: new Date().toISOString() };
  if (options.purpose) info.purpose = options.purpose;

  let delay = FIRST_DELAY_MS;
  let waited = false;
  for (;;) {
    info.since = new Date().toISOString();
    const created = await tryCreate(lockPath, info);
    if (created) {
      trace(`lock ${lockPath} taken${waited ? ` after ${(performance.now() - started).toFixed(0)} ms` : ''}`);
      return holdLock(lockPath, info, created, staleMs, trace);
    }
    const holder = await inspect(lockPath);
    if (holder === undefined) continue; // released between our attempt and our look: try again now
    const elapsed = performance.now() - started;
    const staleness = stalenessOf(holder, staleMs);
    if (staleness) {
      trace(`lock ${lockPath} is stale (${staleness}${holder.info ? `, pid ${holder.info.pid}` : ''}): breaking it`);
      await breakStale(lockPath, holder, staleMs, trace);
      // A stale lock is always worth breaking, even past the deadline (a slow start under load),
      // but not forever if breaking keeps failing.
      if (elapsed < timeoutMs + 2 * BREAKER_STALE_MS) continue;
    }
    if (elapsed >= timeoutMs) throw timeoutError(lockPath, holder, timeoutMs);
    if (!waited) trace(`lock ${lockPath} held by pid ${holder.info?.pid ?? '?'}${holder.info?.purpose ? ` (${holder.info.purpose})` : ''}: waiting`);
    waited = true;
    // Jittered backoff: waiters that started together spread out instead of polling in step.
    await sleep(delay / 2 + Math.random() * (delay / 2));
    delay = Math.min(MAX_DELAY_MS, delay * 1.6);
  }
}

/**
 * Creates the lock atomically; returns an open handle on it (for the heartbeat), or undefined
 * when someone else holds it.
 */
async function tryCreate(lockPath: string, info: LockInfo): Promise<FileHandle | undefined> {
  const text = JSON.stringify(info) + '\n';
  const temp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  let file: FileHandle;
  try {
    file = await open(temp, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
    file = await open(temp, 'wx', 0o600);
  }
  try {
    await file.writeFile(text);
    try {
      await link(temp, lockPath);
      return file;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        await file.close();
        return undefined;
      }
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
      // A file system without hard links: create the lock itself exclusively. A waiter may then
      // see it empty for a moment; an empty lock is only broken after EMPTY_LOCK_GRACE_MS.
      await file.close();
      let direct: FileHandle;
      try {
        direct = await open(lockPath, 'wx', 0o600);
      } catch (inner) {
        if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
        throw inner;
      }
      await direct.writeFile(text);
      return direct;
    }
  } catch (error) {
    await file.close().catch(() => {});
    throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

function holdLock(lockPath: string, info: LockInfo, file: FileHandle, staleMs: number, trace: Trace): FileLockHandle {
  heldLocks.set(lockPath, info.token);
  installExitHook();
  // The heartbeat touches our own inode through the open handle, never whatever now sits at the
  // path, so it cannot keep a successor's lock alive by mistake.
  const beat = setInterval(() => {
    const now = new Date();
    file.utimes(now, now).catch(() => {});
  }, Math.max(50, Math.floor(staleMs / 3)));
  beat.unref();
  let released = false;
  return {
    lockPath,
    async release() {
      if (released) return;
      released = true;
      clearInterval(beat);
      heldLocks.delete(lockPath);
      const holder = await inspect(lockPath);
      if (holder?.info?.token === info.token) {
        await unlink(lockPath).catch(() => {});
      } else {
        trace(`lock ${lockPath} was broken by another process while held (no heartbeat for ${staleMs} ms?)`);
      }
      await file.close().catch(() => {});
    },
  };
}

async function inspect(path: string): Promise<Holder | undefined> {
  // Through one handle, so the inode, mtime and content all belong to the same file.
  // Non-blocking, and only a small regular file is read: something else in the lock's place (a
  // FIFO would block the open for good) is a lock of unknown holder, broken once it is stale.
  let file: FileHandle;
  try {
    file = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stats = await file.stat();
    if (!stats.isFile()) return { info: undefined, ino: stats.ino, mtimeMs: stats.mtimeMs };
    const buffer = Buffer.alloc(MAX_LOCK_INFO_BYTES + 1);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    const info = bytesRead > MAX_LOCK_INFO_BYTES ? undefined : parseInfo(buffer.toString('utf8', 0, bytesRead));
    return { info, ino: stats.ino, mtimeMs: stats.mtimeMs };
  } finally {
    await file.close();
  }
}

function parseInfo(text: string): LockInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockInfo>;
    if (typeof value.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0 && typeof value.token === 'string' && typeof value.hostname === 'string') {
      return value as LockInfo;
    }
  } catch {
    // fall through
  }
  return undefined;
}

/** Why a lock may be broken, or undefined while its holder may still be working. */
function stalenessOf(holder: Holder, staleMs: number): string | undefined {
  const age = Date.now() - holder.mtimeMs;
  if (age > staleMs) return `no sign of life for ${Math.round(age / 1000)} s`;
  if (!holder.info) return age > Math.min(staleMs, EMPTY_LOCK_GRACE_MS) ? 'empty or unreadable' : undefined;
  // A pid means something only on the host that wrote it (containers sharing a home differ).
  if (holder.info.hostname === thisHost && !processAlive(holder.info.pid)) return 'holder process is gone';
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes the stale lock `seen`, but only while holding `<lock>.break`, and only if the lock on
 * disk is still that one and still stale. Returns without doing anything when another waiter is
 * already breaking it; the caller simply tries again.
 */
async function breakStale(lockPath: string, seen: Holder, staleMs: number, trace: Trace): Promise<void> {
  const breakPath = `${lockPath}.break`;
  const info: LockInfo = { pid: process.pid, hostname: thisHost, token: randomBytes(12).toString('hex'), since: new Date().toISOString() };
  const breaker = await tryCreate(breakPath, info);
  if (!breaker) {
    const other = await inspect(breakPath);
    if (other && stalenessOf(other, BREAKER_STALE_MS)) {
      // A breaker killed inside its few-microsecond window. Move it aside under a unique name
      // and check we moved that very file; if a new breaker slipped in, put it back.
      const aside = `${breakPath}.${process.pid}.${randomBytes(4).toString('hex')}.old`;
      try {
        await rename(breakPath, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      const moved = await inspect(aside);
      if (moved && moved.info?.token !== other.info?.token) await link(aside, breakPath).catch(() => {});
      await unlink(aside).catch(() => {});
      trace(`removed the leftover ${breakPath} of a killed process`);
    } else {
      await sleep(1 + Math.random() * 5);
    }
    return;
  }
  try {
    const current = await inspect(lockPath);
    if (current && current.ino === seen.ino && current.info?.token === seen.info?.token && stalenessOf(current, staleMs)) {
      await unlink(lockPath).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await sweepLeftovers(lockPath);
    }
  } finally {
    const mine = await inspect(breakPath);
    if (mine?.info?.token === info.token) await unlink(breakPath).catch(() => {});
    await breaker.close().catch(() => {});
  }
}

/** `<lock>.<pid>.<hex>.new` files of processes killed between creating and linking them. */
async function sweepLeftovers(lockPath: string): Promise<void> {
  const prefix = basename(lockPath) + '.';
  await removeFilesIn(dirname(lockPath), (name) => {
    if (!name.startsWith(prefix) || !name.endsWith('.new')) return false;
    const pid = Number(/^\.(\d+)\.[0-9a-f]+\.new$/.exec(name.slice(prefix.length - 1))?.[1]);
    return Number.isInteger(pid) && pid > 0 && !processAlive(pid);
  });
}

/**
 * Removes the files of `dir` that `leftover` picks (best effort: a file already gone is fine);
 * returns the paths removed. For the debris of writers killed mid-way, swept by whoever holds
 * the lock next.
 */
export async function removeFilesIn(dir: string, leftover: (name: string) => boolean): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.filter(leftover)) {
    const path = join(dir, name);
    await unlink(path).then(() => removed.push(path), () => {});
  }
  return removed;
}

function timeoutError(lockPath: string, holder: Holder, timeoutMs: number): UserError {
  const who = holder.info
    ? `held by pid ${holder.info.pid}${holder.info.hostname === thisHost ? '' : ` on ${holder.info.hostname}`}` +
      `${holder.info.purpose ? ` (${holder.info.purpose})` : ''} since ${holder.info.since}`
    : 'held by an unknown process';
  return new UserError(
    `timed out after ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`} waiting for the lock ${lockPath} (${who}): ` +
      'wait for that process to finish, or delete the lock file if no cc-helper is running',
  );
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [path, token] of heldLocks) {
      try {
        const read = readBoundedText(path, { maxBytes: MAX_LOCK_INFO_BYTES });
        if (read.status === 'read' && parseInfo(read.text)?.token === token) unlinkSync(path);
      } catch {
        // gone already
      }
    }
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
