// Where a mapping lives. Every scope is one include line in a file git already reads (the
// "includer") pointing at a file cc-helper owns outright (the "owned file"):
//   global      [include]                                    in the global config
//   --local     [include]                                    in the repository's config
//   --dir P     [includeIf "gitdir:P/"]                      in the global config
//   --remote-url U  [includeIf "hasconfig:remote.*.url:U"]   in the global config (git >= 2.36)
//   --local --remote-url U  the same include in the repository's config: that repository's
//                   remote U, and no other repository's (what `migrate` writes)
// https://git-scm.com/docs/git-config#_conditional_includes
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError, UserError } from '../support/errors.js';
import { runGit, gitMessage, type GitContext } from './git-run.js';

export type ScopeKind = 'global' | 'local' | 'dir' | 'remote';

export type ScopeRequest =
  | { kind: 'global' }
  | { kind: 'local' }
  | { kind: 'dir'; dir: string }
  | { kind: 'remote'; pattern: string; /** In this repository's config only. */ local?: boolean };

export interface Mapping {
  kind: ScopeKind;
  /** Global: the global file; local: the repository; dir: the directory (ending in /); remote: the URL pattern. */
  target: string;
  /** The file that gets the include line. */
  includer: string;
  /** The includeIf condition, or undefined for a plain [include]. */
  condition?: string;
  /** The file cc-helper owns. */
  ownedFile: string;
  /** For a remote-URL mapping in one repository's config: that repository. */
  repository?: string;
}

/** `$XDG_CONFIG_HOME/cc-helper/git`, else `~/.config/cc-helper/git`. */
export function ownedDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'cc-helper', 'git');
  return join(home(env), '.config', 'cc-helper', 'git');
}

export function home(env: NodeJS.ProcessEnv): string {
  const value = env.HOME;
  if (!value || !isAbsolute(value)) throw new UserError('HOME is not set to an absolute path: cc-helper setup needs it to find your git config');
  return value;
}

/**
 * The file `git config --global` writes: $GIT_CONFIG_GLOBAL if set; else ~/.gitconfig, unless
 * only the XDG file ($XDG_CONFIG_HOME/git/config or ~/.config/git/config) exists.
 * https://git-scm.com/docs/git-config#FILES
 */
export async function globalConfigFile(env: NodeJS.ProcessEnv): Promise<string> {
  const forced = env.GIT_CONFIG_GLOBAL;
  if (forced !== undefined) {
    if (forced === '' || forced === '/dev/null') {
      throw new UserError(`GIT_CONFIG_GLOBAL=${forced || '""'} turns the global git config off: unset it, or use --local`);
    }
    return resolve(forced);
  }
  const user = join(home(env), '.gitconfig');
  const xdgBase = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home(env), '.config');
  const xdg = join(xdgBase, 'git', 'config');
  if (!(await exists(user)) && (await exists(xdg))) return xdg;
  return user;
}

export async function resolveMapping(request: ScopeRequest, ctx: GitContext): Promise<Mapping> {
  const owned = ownedDir(ctx.env);
  switch (request.kind) {
    case 'global': {
      const includer = await globalConfigFile(ctx.env);
      return { kind: 'global', target: includer, includer, ownedFile: ownedPath(owned, 'global', '', includer, undefined) };
    }
    case 'local': {
      const { repo, includer } = await repositoryConfig(ctx, '--local');
      return { kind: 'local', target: repo, includer, ownedFile: ownedPath(owned, 'local', basename(repo), includer, undefined) };
    }
    case 'dir': {
      const dir = checkDir(resolve(ctx.cwd, expandHome(request.dir, ctx.env)));
      const includer = await globalConfigFile(ctx.env);
      const condition = `gitdir:${dir}`;
      return { kind: 'dir', target: dir, includer, condition, ownedFile: ownedPath(owned, 'dir', basename(dir), includer, condition) };
    }
    case 'remote': {
      const pattern = checkRemotePattern(request.pattern);
      const condition = `hasconfig:remote.*.url:${pattern}`;
      if (request.local) {
        const { repo, includer } = await repositoryConfig(ctx, '--local --remote-url');
        return { kind: 'remote', target: pattern, includer, condition, ownedFile: ownedPath(owned, 'remote', basename(repo), includer, condition), repository: repo };
      }
      const includer = await globalConfigFile(ctx.env);
      return { kind: 'remote', target: pattern, includer, condition, ownedFile: ownedPath(owned, 'remote', '', includer, condition) };
    }
  }
}

/** The repository ctx.cwd is in, and its config file (the includer of its own mappings). */
async function repositoryConfig(ctx: GitContext, flags: string): Promise<{ repo: string; includer: string }> {
  const r = await runGit(['rev-parse', '--path-format=absolute', '--git-common-dir'], ctx);
  if (r.code !== 0) {
    throw new UserError(`${flags} needs a git repository, and ${ctx.cwd} is not in one (${gitMessage(r)}): cd into it, or use --dir`);
  }
  const commonDir = r.stdout.trim();
  const repo = basename(commonDir) === '.git' ? dirname(commonDir) : commonDir;
  return { repo, includer: join(commonDir, 'config') };
}

/** `<kind>[-<readable>]-<hash of includer and condition>.gitconfig`: unique, and a person can tell what it is. */
function ownedPath(dir: string, kind: ScopeKind, readable: string, includer: string, condition: string | undefined): string {
  const hash = createHash('sha256').update(`${includer}\0${condition ?? ''}`).digest('hex').slice(0, 10);
  const slug = readable.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 40);
  return join(dir, `${kind}${slug ? '-' + slug : ''}-${hash}.gitconfig`);
}

function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  return path === '~' || path.startsWith('~/') ? join(home(env), path.slice(1)) : path;
}

/** The directory as a gitdir: pattern: absolute, ending in `/` ("everything below"), no glob characters. */
function checkDir(dir: string): string {
  if (/[\0-\x1f\x7f]/.test(dir)) throw new UsageError('--dir: the path contains control characters');
  if (/[*?[\]\\]/.test(dir)) {
    throw new UsageError(`--dir ${JSON.stringify(dir)}: git reads * ? [ ] and \\ in gitdir: patterns as wildcards; rename the directory or use --remote-url`);
  }
  return dir.endsWith('/') ? dir : dir + '/';
}

function checkRemotePattern(pattern: string): string {
  if (pattern === '' || /[\0-\x20\x7f]/.test(pattern)) {
    throw new UsageError('--remote-url needs a URL pattern without spaces or control characters, e.g. https://git-codecommit.*.amazonaws.com/v1/repos/acme-*');
  }
  return pattern;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export function describeMapping(m: Pick<Mapping, 'kind' | 'target' | 'repository'>): string {
  switch (m.kind) {
    case 'global':
      return 'global';
    case 'local':
      return `repository ${m.target}`;
    case 'dir':
      return `directory ${m.target}`;
    case 'remote':
      return m.repository === undefined ? `remote URL ${m.target}` : `remote URL ${m.target} in repository ${m.repository}`;
  }
}

/** The flags that select this scope again, for "undo" hints. */
export function scopeFlags(m: Pick<Mapping, 'kind' | 'target' | 'repository'>): string {
  switch (m.kind) {
    case 'global':
      return '';
    case 'local':
      return ' --local';
    case 'dir':
      return ` --dir ${quoteArg(m.target)}`;
    case 'remote':
      return `${m.repository === undefined ? '' : ' --local'} --remote-url ${quoteArg(m.target)}`;
  }
}

function quoteArg(s: string): string {
  return /^[A-Za-z0-9_.,+@=%:/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
