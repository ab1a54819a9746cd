// Which account pins cc-helper's mappings put on a push, read the way git reads them — the one
// place every entry point that writes or stands in for a helper line asks (the
// git-remote-codecommit drop-in, `migrate`, `setup` for one repository).
//
// THE MAPPING RULE (SECURITY.md, "Mappings never weaken a pin", says the same):
//   - A line cc-helper puts in git's way for a repository — the drop-in's injected helper line,
//     a repository mapping that migrate or `setup --local` writes — comes after (and so wins over)
//     every mapping git already applies there. It carries the pin of the mapping it wins over (the
//     helper line git would run for that URL in that repository), and the pin setup gave its
//     profile anywhere; when those two name different accounts, nothing is written and nothing
//     signs.
//   - A remote-URL mapping in the global config reaches every repository with such a remote,
//     wherever it is: the directory mappings pinned to an account come after it, so it never
//     wins inside a pinned folder (the order is includer-file.ts's canonicalOrder).
//   - migrate maps a repository's own remotes only, in that repository's config; a tracked
//     .gitmodules names other repositories and maps nothing (codecommit-remote/migrate.ts).
//   - Mappings are found through git itself: the include lines of the config files git reads
//     name them by absolute path, so $XDG_CONFIG_HOME (snap and flatpak apps set their own) does
//     not change which mapping files count. cc-helper's own folder under this environment is
//     read too, for mappings it made that nothing includes.
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { helperLineOptions } from './helper-profile.js';
import { UserError } from '../support/errors.js';
import { classifyHelper } from './existing-helpers.js';
import { gitMessage, runGit, type GitContext } from './git-run.js';
import { ownedDir } from './scope.js';

/** A cc-helper helper line git applies to a URL, where it comes from, and its pin. */
export interface AppliedLine {
  value: string;
  /** The config file it is in (a mapping file setup owns, or one of the user's). */
  file: string | undefined;
  profile: string | undefined;
  account: string | undefined;
}

export interface Pin {
  account: string;
  /** Why, for messages: "the mapping in FILE", "setup pins profile X". */
  from: string;
}

interface ConfigView {
  /** The mapping files (setup's own, with their `[cc-helper]` record) git reads from here, and those in cc-helper's folders. */
  mappingFiles: string[];
  /** `credential.<url>.helper` / `credential.helper` entries, in git's order. */
  helpers: Array<{ pattern: string | null; value: string; file: string | undefined }>;
}

/**
 * What git reads from `ctx.cwd`, with `asIfRemote` added as a remote URL (so `hasconfig:remote.*.url:`
 * mappings for the URL a repository is about to have count already). One git run.
 */
async function readView(ctx: GitContext, asIfRemote: string | undefined): Promise<ConfigView> {
  const args = [...(asIfRemote ? ['-c', `remote.cc-helper-probe.url=${asIfRemote}`] : []), 'config', '-z', '--show-origin', '--get-regexp', '^(include\\.path|includeif\\..*\\.path|credential\\.(.*\\.)?helper)$'];
  let r;
  try {
    r = await runGit(args, ctx);
  } catch (error) {
    throw new UserError(`cannot run git to read your configuration (${(error as Error).message})`);
  }
  if (r.code !== 0 && r.code !== 1) throw new UserError(`git cannot read your configuration (${gitMessage(r)}): fix it first`);
  const fields = r.stdout.split('\0');
  const helpers: ConfigView['helpers'] = [];
  const candidates = new Set<string>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const origin = utf8(fields[i]!);
    const record = fields[i + 1]!;
    const nl = record.indexOf('\n');
    const key = utf8(nl < 0 ? record : record.slice(0, nl));
    const value = nl < 0 ? '' : utf8(record.slice(nl + 1));
    const file = origin.startsWith('file:') ? origin.slice('file:'.length) : undefined;
    if (key.endsWith('.path') && (key === 'include.path' || key.startsWith('includeif.'))) {
      if (file) candidates.add(includePath(value, file, ctx.env));
      continue;
    }
    const m = /^credential\.(?:(.+)\.)?helper$/.exec(key);
    if (m) helpers.push({ pattern: m[1] ?? null, value, file });
  }
  for (const dir of ownedDirs(ctx.env)) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.gitconfig'));
    } catch {
      // no mappings made under that folder
    }
    for (const name of names) candidates.add(join(dir, name));
  }
  return { mappingFiles: [...candidates].filter(isMappingFile).sort(), helpers };
}

/** cc-helper's folder under this environment, and under the usual one (~/.config), if they differ. */
function ownedDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs = new Set<string>();
  try {
    dirs.add(ownedDir(env));
  } catch {
    // no HOME
  }
  const home = env.HOME || homedir();
  if (home && isAbsolute(home)) dirs.add(join(home, '.config', 'cc-helper', 'git'));
  return [...dirs];
}

/** git's rule for include paths: `~/` is $HOME, a relative path is relative to the including file. */
function includePath(path: string, includer: string, env: NodeJS.ProcessEnv): string {
  if (path.startsWith('~/') && env.HOME) return join(env.HOME, path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(dirname(includer), path);
}

/** A file setup wrote for a mapping: it records itself in a `[cc-helper]` section. */
function isMappingFile(file: string): boolean {
  try {
    return /^[ \t]*\[cc-helper\][ \t]*$/m.test(readFileSync(file, 'latin1'));
  } catch {
    return false;
  }
}

/** The helper values in a mapping file, as git would read them (setup writes one `helper = value` a line). */
function helperValuesIn(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return [...text.matchAll(/^[ \t]*helper[ \t]*=[ \t]*(.+)$/gm)].map((m) => configValue(m[1]!));
}

/** A value as git writes it into a config file: `"..."` runs unquoted, `\x` escapes undone. */
function configValue(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[++i]!;
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
    } else if (c !== '"') out += c;
  }
  return out.trimEnd();
}

/** The account setup pinned `profile` to in any mapping file; a UserError when it pins it to two. */
function setupPinOf(profile: string, files: readonly string[]): Pin | undefined {
  const found = new Map<string, string>();
  for (const file of files) {
    for (const value of helperValuesIn(file)) {
      const options = helperLineOptions(value);
      if (options.profile === profile && options.account !== undefined && !found.has(options.account)) found.set(options.account, file);
    }
  }
  if (found.size > 1) {
    throw new UserError(`setup pins the profile "${profile}" to ${found.size} accounts (${[...found.keys()].join(', ')}): see cc-helper setup --list, and keep one`);
  }
  const [entry] = [...found];
  return entry ? { account: entry[0], from: `setup pins profile "${profile}" to it (${entry[1]})` } : undefined;
}

/** The cc-helper line git would run for `url` from `ctx.cwd` (the last one after any reset), if any. */
function winningLine(view: ConfigView, url: string): AppliedLine | undefined {
  let winner: AppliedLine | undefined;
  for (const h of view.helpers) {
    if (h.pattern !== null && !credentialUrlMatches(h.pattern, url)) continue;
    const kind = classifyHelper(h.value).kind;
    if (kind === 'reset') winner = undefined;
    else if (kind === 'cc-helper') {
      const options = helperLineOptions(h.value);
      winner = { value: h.value, file: h.file, profile: options.profile, account: options.account };
    }
  }
  return winner;
}

/**
 * git's rule for a `credential.<pattern>` section and a URL (gitcredentials(7), "Credential
 * contexts"; urlmatch.c): the same scheme, a host whose labels match the pattern's one by one (a
 * `*` label matches any one label), the same port, the pattern's user if it names one, and, when
 * the pattern has a path, exactly that path. Done here rather than by asking git, which costs a
 * process per question: the drop-in runs for every fetch and push.
 */
export function credentialUrlMatches(pattern: string, url: string): boolean {
  let p: URL;
  let u: URL;
  try {
    p = new URL(pattern);
    u = new URL(url);
  } catch {
    return false;
  }
  if (p.protocol !== u.protocol || p.port !== u.port) return false;
  if (p.username !== '' && p.username !== u.username) return false;
  const pl = p.hostname.toLowerCase().split('.');
  const ul = u.hostname.toLowerCase().split('.');
  if (pl.length !== ul.length || !pl.every((label, i) => label === '*' || label === ul[i])) return false;
  const path = (x: URL) => decodeURIComponent(x.pathname).replace(/\/+$/, '');
  return path(p) === '' || path(p) === path(u);
}

/**
 * The pin a line for `profile` must carry to sign for `url` in the repository at `ctx.cwd`
 * without weakening any pin (the rule above); undefined: none applies. `asIfRemote`: judge the
 * repository as if it had `url` as a remote already (migrate, before it rewrites the URL).
 * Throws a UserError naming both when the two pins disagree.
 */
export async function pinForRepositoryLine(profile: string, url: string, ctx: GitContext, { asIfRemote = false } = {}): Promise<Pin | undefined> {
  const view = await readView(ctx, asIfRemote ? url : undefined);
  const byProfile = setupPinOf(profile, view.mappingFiles);
  const winner = winningLine(view, url);
  const byMapping: Pin | undefined =
    winner?.account === undefined ? undefined : { account: winner.account, from: `${url} signs there through the line in ${winner.file ?? 'your git config'}, pinned to it` };
  if (byProfile && byMapping && byProfile.account !== byMapping.account) {
    throw new UserError(
      `${url} in ${ctx.cwd} must sign in account ${byMapping.account} (${byMapping.from}), but ${byProfile.from.replace(' to it', ` to ${byProfile.account}`)}: ` +
        'not signing with it here; make the two agree (cc-helper setup --list shows them)',
    );
  }
  return byProfile ?? byMapping;
}

function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}
