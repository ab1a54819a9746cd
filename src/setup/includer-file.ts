// The user's own config file that gets cc-helper's include lines (the "includer").
//
// git reads config top to bottom and a credential helper list is built in that order
// (an include is read where its line is), so cc-helper's include lines must come after every
// helper the user already has: its `helper =` reset then clears them for CodeCommit URLs, and
// nothing after it can store the password. `git config --add` cannot promise that (it adds to
// an existing section of the same name, wherever that is), so setup keeps its include sections
// together at the very end of the file:
//   1. the section text is rendered by git itself (config-render.ts),
//   2. the file is rewritten as "user's bytes without cc-helper's sections" + "cc-helper's sections",
//   3. the result is parsed by git before it replaces the file, under git's own `<file>.lock`.
// Removing a mapping cuts exactly the bytes of its section, so the user's bytes come back as
// they were. A section the user edited by hand is removed with `git config --unset` instead.
import { mkdir, mkdtemp, readFile, realpath, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { PendingFile } from '../support/atomic-file.js';
import { readFileOrThrow } from '../support/bounded-file.js';
import { UserError } from '../support/errors.js';
import { includeEntry, renderConfig } from './config-render.js';
import { git, gitMessage, MAX_GIT_CONFIG_BYTES, parseListZ, runGit, type GitContext } from './git-run.js';

/** One include section setup manages: no condition for a plain [include]. */
export interface ManagedInclude {
  condition?: string;
  /** The path value exactly as git reports it (UTF-8). */
  path: string;
  /** Its helper line carries --account (only the order of the sections depends on it). */
  pinned?: boolean;
}

export interface IncluderState {
  file: string;
  /** Undefined when the file does not exist yet. */
  text?: string;
  mode?: number;
}

export async function readIncluder(file: string, ctx: GitContext): Promise<IncluderState> {
  let text: string;
  let mode: number;
  try {
    text = readFileOrThrow(file, MAX_GIT_CONFIG_BYTES, 'latin1');
    mode = (await stat(file)).mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file };
    if (error instanceof UserError) throw error;
    throw cannotAccess(file, error);
  }
  const r = await runGit(['config', '--file', file, '--list'], ctx);
  if (r.code !== 0) {
    throw new UserError(
      `git cannot read ${file} (${gitMessage(r)}): fix it first (\`git config --file ${file} --edit\`), then run setup again; nothing was changed`,
    );
  }
  return { file, text, mode };
}

/** cc-helper's include sections in the includer: those whose path points into `owned`. */
export async function managedIncludes(state: IncluderState, owned: string, ctx: GitContext): Promise<ManagedInclude[]> {
  if (state.text === undefined) return [];
  const out = await git(['config', '--file', state.file, '--list', '-z'], ctx);
  const found: ManagedInclude[] = [];
  for (const { key, value } of parseListZ(out)) {
    if (value === undefined) continue;
    const path = Buffer.from(value, 'latin1').toString('utf8');
    if (!isInside(resolveIncludePath(path, state.file, ctx.env), owned)) continue;
    if (key === 'include.path') found.push({ path });
    else if (key.startsWith('includeif.') && key.endsWith('.path')) {
      found.push({ condition: Buffer.from(key.slice('includeif.'.length, -'.path'.length), 'latin1').toString('utf8'), path });
    }
  }
  return found;
}

/** git's rule for include paths: `~/` is $HOME, a relative path is relative to the including file. */
export function resolveIncludePath(path: string, includer: string, env: NodeJS.ProcessEnv): string {
  if (path.startsWith('~/') && env.HOME) return join(env.HOME, path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(dirname(includer), path);
}

function isInside(path: string, dir: string): boolean {
  return path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * Order of cc-helper's sections: later ones win, so the broadest comes first. Global, then
 * directories (a directory inside another comes after it), then remote-URL patterns, then the
 * directories pinned to an account (--account): a remote-URL mapping applies to every repository
 * with such a remote, wherever it is, so it must not win inside a folder pinned to an account
 * (setup/mapping-pins.ts states the rule).
 */
export function canonicalOrder(includes: readonly ManagedInclude[]): ManagedInclude[] {
  const rank = (m: ManagedInclude) => {
    const c = m.condition;
    if (c === undefined) return 0;
    if (c.startsWith('gitdir:')) return m.pinned ? 3 : 1;
    return c.startsWith('hasconfig:') ? 2 : 4;
  };
  return [...includes].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.condition?.length ?? 0) - (b.condition?.length ?? 0) ||
      (a.condition ?? '').localeCompare(b.condition ?? '') ||
      a.path.localeCompare(b.path),
  );
}

export async function renderInclude(include: ManagedInclude, ctx: GitContext): Promise<string> {
  return renderConfig([includeEntry(include.condition, include.path)], ctx);
}

/** Where `section` (ending in \n) sits in `text` as whole lines; the final \n may be missing at EOF. */
export function findSection(text: string, section: string): { start: number; end: number } | undefined {
  for (let at = text.indexOf(section); at >= 0; at = text.indexOf(section, at + 1)) {
    if (at === 0 || text[at - 1] === '\n') return { start: at, end: at + section.length };
  }
  const unterminated = section.slice(0, -1);
  if (text.endsWith(unterminated)) {
    const at = text.length - unterminated.length;
    if (at === 0 || text[at - 1] === '\n') return { start: at, end: text.length };
  }
  return undefined;
}

export interface Rewrite {
  /** The new text of the includer. */
  text: string;
  /** cc-helper's sections at its end. */
  tail: string;
  /** Sections found changed by hand and removed through `git config --unset` instead. */
  editedByHand: ManagedInclude[];
}

/**
 * The includer's text without any of `existing`, then `desired` (in canonical order) at the end.
 * The user's bytes are untouched, except that a file lacking a final newline gets one before
 * cc-helper's sections.
 */
export async function rewriteIncluder(
  text: string,
  existing: readonly ManagedInclude[],
  desired: readonly ManagedInclude[],
  ctx: GitContext,
): Promise<Rewrite> {
  let base = text;
  const editedByHand: ManagedInclude[] = [];
  for (const include of existing) {
    const at = findSection(base, await renderInclude(include, ctx));
    if (at) base = base.slice(0, at.start) + base.slice(at.end);
    else editedByHand.push(include);
  }
  if (editedByHand.length > 0) base = await unsetWithGit(base, editedByHand, ctx);
  let tail = '';
  for (const include of canonicalOrder(desired)) tail += await renderInclude(include, ctx);
  if (tail === '') return { text: base, tail, editedByHand };
  const joint = base === '' || base.endsWith('\n') ? '' : '\n';
  return { text: base + joint + tail, tail, editedByHand };
}

async function unsetWithGit(text: string, includes: readonly ManagedInclude[], ctx: GitContext): Promise<string> {
  return withTempFile(text, async (file) => {
    for (const include of includes) {
      const [key, value] = includeEntry(include.condition, include.path);
      await git(['config', '--file', file, '--fixed-value', '--unset-all', key, value], ctx);
    }
    return readFile(file, 'latin1');
  });
}

/** Throws unless git parses `text`; run on the new content before it replaces a file. */
export async function checkParses(text: string, what: string, ctx: GitContext): Promise<void> {
  await withTempFile(text, async (file) => {
    const r = await runGit(['config', '--file', file, '--list'], ctx);
    if (r.code !== 0) throw new Error(`the new ${what} would not parse (${gitMessage(r)}); nothing was changed`);
  });
}

/** Runs `fn` on a temporary file holding `text`, removed afterwards. */
export async function withTempFile<T>(text: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-helper-config-'));
  try {
    const file = join(dir, 'config');
    await writeFile(file, text, 'latin1');
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * git's own lock protocol: `<file>.lock` created exclusively, written, renamed over the file
 * (a symlinked file is followed, as git does). Taken before anything is written, so a file that
 * cannot be written stops setup before it changes anything.
 */
export class ConfigLock {
  private constructor(
    readonly file: string,
    private readonly pending: PendingFile,
  ) {}

  static async acquire(state: IncluderState): Promise<ConfigLock> {
    const { file } = state;
    if (state.mode !== undefined && (state.mode & 0o222) === 0) {
      throw new UserError(
        `${file} is read-only: cc-helper does not overwrite read-only config (a dotfile manager may own it); ` +
          'make it writable, or run setup with --dry-run and add the lines yourself; nothing was changed',
      );
    }
    let target = file;
    try {
      target = await realpath(file);
    } catch {
      await mkdir(dirname(file), { recursive: true }).catch(() => {});
    }
    try {
      // The lock is the temp file: git's name for it, the file's own mode (a new one: 0644).
      return new ConfigLock(file, PendingFile.begin(target, state.mode ?? 0o644, `${target}.lock`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new UserError(
          `${target}.lock exists: another git command is changing ${file}; if none is running, delete the lock file and run again; nothing was changed`,
        );
      }
      throw cannotAccess(file, error);
    }
  }

  async commit(text: string): Promise<void> {
    try {
      this.pending.write(text, 'latin1');
      this.pending.commit();
    } catch (error) {
      throw cannotAccess(this.file, error);
    }
  }

  /** Deletes the file instead (used when cc-helper created it and it is empty again). */
  async commitDeletion(): Promise<void> {
    try {
      await unlink(this.pending.target);
    } finally {
      this.pending.abort();
    }
  }

  async release(): Promise<void> {
    this.pending.abort();
  }
}

export function cannotAccess(file: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : (error as Error).message;
  return new UserError(`cannot write ${file} (${why}): nothing was changed`);
}
