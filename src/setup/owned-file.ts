// The file cc-helper owns for one mapping: the credential sections, plus a `[cc-helper]` section
// that records what the mapping is (git ignores sections it does not know).
//
// Why own whole files: git config cannot write comments, so a marker inside the user's own file
// would have to be a config key, mixed into sections the user may also edit. Instead the user's
// file gets exactly one include section per mapping, recognisable by its path pointing into
// cc-helper's directory, and everything else lives in a file only cc-helper writes. --list reads
// these files; --remove deletes the include section and the file.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { recogniseCodeCommitHost } from '../codecommit/host.js';
import { readFileOrThrow } from '../support/bounded-file.js';
import { CODECOMMIT_URL_PATTERNS } from './codecommit-url-patterns.js';
import { renderConfig, type ConfigAdd } from './config-render.js';
import { MAX_GIT_CONFIG_BYTES, parseListZ, runGit, type GitContext } from './git-run.js';
import { resolveIncludePath, type ManagedInclude } from './includer-file.js';
import type { Mapping, ScopeKind } from './scope.js';

export interface OwnedFileMeta {
  kind: ScopeKind;
  target: string;
  includer: string;
  condition?: string;
  profile: string;
  /** A remote-URL mapping of one repository (in its own config): that repository. */
  repository?: string;
  /** The helper values in the file, in order (the resets included). */
  helpers: string[];
  /** The includer did not exist before cc-helper created it: removing the last mapping deletes it again if empty. */
  includerCreated: boolean;
  /** The includer did not end in a newline before cc-helper appended to it: removing the last mapping takes the newline away again. */
  includerLackedFinalNewline: boolean;
}

export function ownedFileEntries(
  mapping: Mapping,
  profile: string,
  helper: string,
  flags: { includerCreated: boolean; includerLackedFinalNewline: boolean },
): ConfigAdd[] {
  const entries: ConfigAdd[] = [
    ['cc-helper.scope', mapping.kind],
    ['cc-helper.target', mapping.target],
    ['cc-helper.includer', mapping.includer],
  ];
  if (mapping.condition !== undefined) entries.push(['cc-helper.condition', mapping.condition]);
  if (mapping.repository !== undefined) entries.push(['cc-helper.repository', mapping.repository]);
  entries.push(['cc-helper.profile', profile]);
  if (flags.includerCreated) entries.push(['cc-helper.includerCreated', 'true']);
  if (flags.includerLackedFinalNewline) entries.push(['cc-helper.includerLackedFinalNewline', 'true']);
  for (const pattern of credentialUrls(mapping)) {
    // The empty value resets the helper list gathered so far (osxkeychain, store, the AWS CLI...),
    // so for CodeCommit URLs only cc-helper answers, and nothing stores its short-lived password.
    entries.push([`credential.${pattern}.helper`, '']);
    entries.push([`credential.${pattern}.helper`, helper]);
    // CodeCommit signs the repository path: git must send it.
    entries.push([`credential.${pattern}.useHttpPath`, 'true']);
  }
  return entries;
}

/**
 * The `credential.<url>` sections of a mapping: every CodeCommit host form, except for a remote
 * mapping of one exact repository URL (what `cc-helper migrate` writes for each remote), which
 * covers that URL alone. git matches a section's path exactly
 * (https://git-scm.com/docs/gitcredentials#_credential_contexts), so two remotes of one
 * repository can sign with two profiles, where host patterns would let the last mapping win.
 */
export function credentialUrls(mapping: Pick<Mapping, 'kind' | 'target'>): string[] {
  if (mapping.kind === 'remote' && isExactRepositoryUrl(mapping.target)) return [mapping.target];
  return CODECOMMIT_URL_PATTERNS.map((p) => p.pattern);
}

function isExactRepositoryUrl(url: string): boolean {
  const m = /^https:\/\/([^/]+)\/v1\/repos\/([A-Za-z0-9_.-]{1,100})$/.exec(url);
  return m !== null && recogniseCodeCommitHost(m[1]!) !== undefined;
}

export function renderOwnedFile(
  mapping: Mapping,
  profile: string,
  helper: string,
  flags: { includerCreated: boolean; includerLackedFinalNewline: boolean },
  ctx: GitContext,
): Promise<string> {
  return renderConfig(ownedFileEntries(mapping, profile, helper, flags), ctx);
}

export async function readOwnedFile(file: string, ctx: GitContext): Promise<OwnedFileMeta | undefined> {
  const r = await runGit(['config', '--file', file, '--list', '-z'], ctx);
  if (r.code !== 0) return undefined;
  const meta = new Map<string, string>();
  const helpers: string[] = [];
  for (const { key, value } of parseListZ(r.stdout)) {
    if (key.startsWith('cc-helper.')) meta.set(key.slice('cc-helper.'.length).toLowerCase(), utf8(value ?? 'true'));
    else if (/^credential\..+\.helper$/.test(key)) helpers.push(utf8(value ?? ''));
  }
  const kind = meta.get('scope');
  const target = meta.get('target');
  const includer = meta.get('includer');
  const profile = meta.get('profile');
  if (!kind || !['global', 'local', 'dir', 'remote'].includes(kind) || !target || !includer || !profile) return undefined;
  const result: OwnedFileMeta = {
    kind: kind as ScopeKind,
    target,
    includer,
    profile,
    helpers,
    includerCreated: meta.get('includercreated') === 'true',
    includerLackedFinalNewline: meta.get('includerlackedfinalnewline') === 'true',
  };
  const condition = meta.get('condition');
  if (condition !== undefined) result.condition = condition;
  const repository = meta.get('repository');
  if (repository !== undefined) result.repository = repository;
  return result;
}

/** Every owned file in the directory, with what it records (unreadable ones are skipped). */
export async function listOwnedFiles(dir: string, ctx: GitContext): Promise<{ file: string; meta: OwnedFileMeta }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const found: { file: string; meta: OwnedFileMeta }[] = [];
  for (const name of names.filter((n) => n.endsWith('.gitconfig')).sort()) {
    const file = join(dir, name);
    const meta = await readOwnedFile(file, ctx);
    if (meta) found.push({ file, meta });
  }
  return found;
}

/** Whether a mapping's helper line pins an account (`--account`). */
export function isPinned(meta: Pick<OwnedFileMeta, 'helpers'> | undefined): boolean {
  return meta?.helpers.some((h) => /(^|\s)--account[\s=]/.test(h)) ?? false;
}

/** The includes, each marked with whether its mapping is pinned (which decides their order). */
export async function withPins(includes: readonly ManagedInclude[], includer: string, ctx: GitContext): Promise<ManagedInclude[]> {
  const marked: ManagedInclude[] = [];
  for (const m of includes) marked.push({ ...m, pinned: isPinned(await readOwnedFile(resolveIncludePath(m.path, includer, ctx.env), ctx)) });
  return marked;
}

export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return readFileOrThrow(file, MAX_GIT_CONFIG_BYTES, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}
