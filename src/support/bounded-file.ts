// Reading a file someone else may have put in our way. Every file cc-helper reads goes through
// here, so none of them can hang a get or fill its memory, and the ones cc-helper trusts (caches,
// its own memo, token files) are used only when nobody but this user (or root) could have
// written them:
// - the open is non-blocking and fstat must say "regular file": a FIFO opened for reading would
//   block until a writer came (a synchronous read cannot be interrupted by any timer), and
//   /dev/zero or a terminal never end;
// - the caller picks the size limit that fits what is read (a cache is a few KB, a CA bundle a
//   few MB), and no more than limit + 1 bytes are ever read, even from a file that grows;
// - the outcome says which: read, missing, or refused with a reason short enough for one line.
// The trusted-file check is OpenSSH's for ~/.ssh (safe_path in misc.c), with two differences
// named where they are made.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve, sep } from 'node:path';
import { UserError } from './errors.js';

export interface BoundedReadOptions {
  /** The largest size accepted, in bytes: pick it to fit the thing read. */
  maxBytes: number;
  /**
   * Check that only this user or root could have written the file (see trustProblem); the
   * folders are checked up to `home` (the file's user's home: env.HOME) or up to `/` outside it.
   */
  trusted?: { home: string | undefined };
}

export type RefusalKind =
  /** A FIFO, device, socket or folder where a file was expected. */
  | 'not-a-file'
  | 'too-large'
  /** Someone other than this user or root could have written it (trusted reads only). */
  | 'untrusted'
  /** The system refused (EACCES, ELOOP, EIO, ...). */
  | 'unreadable';

export type BoundedRead =
  | { status: 'read'; bytes: Buffer; stats: Stats }
  | { status: 'missing' }
  /** `reason` completes "<path> ...": e.g. "is a FIFO, not a regular file". */
  | { status: 'refused'; kind: RefusalKind; reason: string };

export type OpenedFile = { status: 'open'; fd: number; stats: Stats } | Exclude<BoundedRead, { status: 'read' }>;

/** Reads the whole file at `path`, bounded (see the module comment). Never throws for the file's sake. */
export function readBoundedFile(path: string, options: BoundedReadOptions): BoundedRead {
  const opened = openRegularFile(path, options.trusted);
  if (opened.status !== 'open') return opened;
  try {
    return readOpenFile(opened.fd, opened.stats, options.maxBytes);
  } finally {
    closeSync(opened.fd);
  }
}

/** The text of readBoundedFile (UTF-8 unless told), or the same missing / refused outcome. */
export function readBoundedText(
  path: string,
  options: BoundedReadOptions,
  encoding: BufferEncoding = 'utf8',
): { status: 'read'; text: string; stats: Stats } | Exclude<BoundedRead, { status: 'read' }> {
  const read = readBoundedFile(path, options);
  return read.status === 'read' ? { status: 'read', text: read.bytes.toString(encoding), stats: read.stats } : read;
}

/**
 * readFile's contract, bounded, for callers that already handle its errors: the text, an error
 * with code ENOENT when there is no file, and a UserError (`cannot read <path>: it <reason>`) for
 * anything refused.
 */
export function readFileOrThrow(path: string, maxBytes: number, encoding: BufferEncoding): string {
  const read = readBoundedText(path, { maxBytes }, encoding);
  if (read.status === 'read') return read.text;
  if (read.status === 'missing') throw Object.assign(new Error(`no such file: ${path}`), { code: 'ENOENT' });
  throw new UserError(`cannot read ${path}: it ${read.reason}`);
}

/**
 * Opens `path` without blocking and checks that it is a regular file (and trusted, when asked).
 * The caller owns the returned fd (closeSync it). For readers with their own reading (the AWS
 * shared files search by position): the same open and checks as readBoundedFile.
 */
export function openRegularFile(path: string, trusted?: BoundedReadOptions['trusted']): OpenedFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing' };
    if (code === 'EISDIR') return { status: 'refused', kind: 'not-a-file', reason: 'is a folder, not a regular file' };
    return { status: 'refused', kind: 'unreadable', reason: `is not readable (${code ?? (error as Error).message})` };
  }
  let refusal: Exclude<BoundedRead, { status: 'read' | 'missing' }> | undefined;
  let stats: Stats | undefined;
  try {
    stats = fstatSync(fd);
    if (!stats.isFile()) refusal = { status: 'refused', kind: 'not-a-file', reason: `is ${kindOf(stats)}, not a regular file` };
    else if (trusted) {
      const problem = trustProblem(path, stats, trusted.home);
      if (problem) refusal = { status: 'refused', kind: 'untrusted', reason: problem };
    }
  } catch (error) {
    refusal = { status: 'refused', kind: 'unreadable', reason: `is not readable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  if (refusal || !stats) {
    closeSync(fd);
    return refusal ?? { status: 'refused', kind: 'unreadable', reason: 'is not readable' };
  }
  return { status: 'open', fd, stats };
}

/**
 * The bytes of an open regular file, from offset 0, or a too-large refusal. Reads by position in
 * a buffer sized from fstat (one read and the one that sees the end, for a file that holds
 * still), growing it only while the file grows, and never past maxBytes + 1.
 */
export function readOpenFile(fd: number, stats: Stats, maxBytes: number): BoundedRead {
  if (stats.size > maxBytes) return tooLarge(maxBytes);
  let buffer = Buffer.allocUnsafe(Math.min(stats.size, maxBytes) + 1);
  let length = 0;
  try {
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) return tooLarge(maxBytes);
        const larger = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(2 * length, 8192)));
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, length);
      if (n === 0) break;
      length += n;
    }
  } catch (error) {
    return { status: 'refused', kind: 'unreadable', reason: `is not readable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  if (length > maxBytes) return tooLarge(maxBytes);
  return { status: 'read', bytes: buffer.subarray(0, length), stats };
}

function tooLarge(maxBytes: number): BoundedRead {
  return { status: 'refused', kind: 'too-large', reason: `is larger than ${formatBytes(maxBytes)}, more than it can hold` };
}

/** `16 KiB`, `8 MiB`, `300 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isDirectory()) return 'a folder';
  return 'not a file';
}

/** The real path of each home folder seen, so a warm get resolves $HOME once per process. */
const realHomes = new Map<string, string>();

/** checkFolders found a symlink (or a path that is not the opened file): check the real path instead. */
const NOT_DIRECT = Symbol('not direct');

/**
 * Why the file (already open, `stats` from its fstat) could have been written by someone other
 * than this user or root, or undefined when it could not. OpenSSH's rule for ~/.ssh: the file is
 * owned by this user or root and nobody else may write it (mode & 022), and every folder from
 * the file's real location up to the home folder (or `/` outside it) is owned by this user or
 * root. Two differences:
 * - folders only must not be writable by others (mode & 002), as Debian's OpenSSH also lets a
 *   folder be group-writable: umask 002 with a group per user is Debian's and Ubuntu's default,
 *   and the AWS CLI creates ~/.aws/cli/cache with the umask. A shared group can then replace it;
 * - a world-writable folder with the sticky bit (/tmp; the tmpfs holding Kubernetes' service
 *   account tokens) counts as safe for an entry this user or root owns: there nobody else can
 *   rename or remove it. CI jobs put web identity tokens in /tmp, EKS mounts them that way.
 * Cost: one lstat per folder on the way (a warm role get: five); only a path with a symlink on
 * it is resolved (realpath) and checked again where it leads.
 * Windows has no uid or mode bits that mean this: the check is skipped there (NTFS ACLs decide).
 */
export function trustProblem(path: string, stats: Stats, home: string | undefined): string | undefined {
  const uid = process.geteuid?.();
  if (uid === undefined) return undefined; // Windows
  if (!mine(stats.uid, uid)) return `belongs to uid ${stats.uid}, not to you (uid ${uid}) or root`;
  if (stats.mode & 0o022) return `can be written by ${stats.mode & 0o002 ? 'anyone' : 'its group'} (mode ${octal(stats.mode)})`;
  const given = resolve(path);
  const givenHome = home || homedir();
  try {
    const direct = checkFolders(given, stats, givenHome ? resolve(givenHome) : undefined, uid, true);
    if (direct !== NOT_DIRECT) return direct;
  } catch {
    // a folder vanished while it was checked: try the real path, which says why
  }
  let real: string;
  try {
    real = realpathSync.native(path);
    // The path must still name the file that was opened (not one swapped in since).
    const now = statSync(real);
    if (now.ino !== stats.ino || now.dev !== stats.dev) return 'was replaced while it was being read';
  } catch {
    return 'was moved or removed while it was being read';
  }
  try {
    return checkFolders(real, stats, realHome(givenHome), uid, false) as string | undefined;
  } catch {
    return `is in a folder that was moved or removed while it was being checked`;
  }
}

function mine(owner: number, uid: number): boolean {
  return owner === uid || owner === 0;
}

/**
 * The folder check from `file` up to `stop` (or /). `direct`: the path as given, by lstat, giving
 * up (NOT_DIRECT) at a symlink or when the path no longer names the opened file.
 */
function checkFolders(file: string, stats: Stats, stop: string | undefined, uid: number, direct: boolean): string | undefined | typeof NOT_DIRECT {
  if (direct) {
    const entry = lstatSync(file);
    if (entry.isSymbolicLink() || entry.ino !== stats.ino || entry.dev !== stats.dev) return NOT_DIRECT;
  }
  const top = stop !== undefined && (file.startsWith(stop.endsWith(sep) ? stop : stop + sep)) ? stop : undefined;
  let childOwner = stats.uid;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const folder = direct ? lstatSync(dir) : statSync(dir);
    if (direct && folder.isSymbolicLink()) return NOT_DIRECT;
    if (!mine(folder.uid, uid)) return `is in ${dir}, which belongs to uid ${folder.uid}, not to you or root`;
    if (folder.mode & 0o002 && !(folder.mode & 0o1000 && mine(childOwner, uid))) {
      return `is in ${dir}, which anyone can write (mode ${octal(folder.mode)})`;
    }
    if (dir === top || dirname(dir) === dir) return undefined;
    childOwner = folder.uid;
  }
}

function realHome(home: string | undefined): string | undefined {
  if (!home) return undefined;
  let real = realHomes.get(home);
  if (real === undefined) {
    try {
      real = realpathSync.native(home);
    } catch {
      return undefined; // no such home: check up to /
    }
    realHomes.set(home, real);
  }
  return real;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
