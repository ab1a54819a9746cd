// Credential helpers the user already has for CodeCommit URLs, and what setup does about them.
//
// git builds one helper list per URL, in config order; every `credential.helper` and every
// matching `credential.<url>.helper` adds to it, and an empty value clears it
// (https://git-scm.com/docs/gitcredentials#_configuration_options). Which `<url>` patterns
// match is asked of git itself (`git config --get-urlmatch`) for one URL per CodeCommit host form.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, sep } from 'node:path';
import { recogniseCodeCommitHost } from '../codecommit/host.js';
import { shWords } from '../support/shell-words.js';
import { UserError } from '../support/errors.js';
import { SAMPLE_CODECOMMIT_URLS } from './codecommit-url-patterns.js';
import { renderConfig } from './config-render.js';
import { gitMessage, runGit, type GitContext } from './git-run.js';

export type HelperKind = 'reset' | 'aws-cli' | 'storage' | 'cc-helper' | 'other';

export interface ExistingHelper {
  /** git's scope name: system, global, local, worktree, command. */
  scope: string;
  /** The file it comes from, or git's description of the origin (`command line:`). */
  origin: string;
  /** The file path when the origin is a file. */
  file?: string;
  /** As git lists it: `credential.helper` or `credential.<url>.helper` (section and name lower-cased). */
  key: string;
  value: string;
  kind: HelperKind;
  /** For the AWS CLI: the `--profile` its line names, if any. */
  awsProfile?: string;
}

// Helpers that keep passwords: git's own (store, cache, osxkeychain, wincred, libsecret,
// gnome-keyring) and Git Credential Manager (manager, manager-core).
const STORAGE = new Set(['store', 'cache', 'osxkeychain', 'wincred', 'libsecret', 'gnome-keyring', 'manager', 'manager-core']);

export function classifyHelper(value: string): { kind: HelperKind; awsProfile?: string } {
  const v = value.trim();
  if (v === '') return { kind: 'reset' };
  if (/\bcodecommit\s+credential-helper\b/.test(v) && /(^|[\s!'"/\\])aws(\.exe|\.cmd)?['"]?\s/.test(v)) {
    // The words as git's shell gives them to the AWS CLI (any quoting, any name); the last --profile wins, as in argparse.
    const profile = awsCliProfile(shWords(v.replace(/^!\s*/, '')));
    return profile ? { kind: 'aws-cli', awsProfile: profile } : { kind: 'aws-cli' };
  }
  const first = v.replace(/^!\s*/, '').match(/^(?:'([^']*)'|"([^"]*)"|(\S+))/);
  const command = first ? (first[1] ?? first[2] ?? first[3] ?? '') : '';
  const name = basename(command.replace(/\\/g, '/')).replace(/\.exe$/i, '').replace(/^git-credential-/, '');
  if (name === 'codecommit' || /cc-helper/.test(v)) return { kind: 'cc-helper' };
  if (STORAGE.has(name)) return { kind: 'storage' };
  return { kind: 'other' };
}

function awsCliProfile(words: string[]): string | undefined {
  let profile: string | undefined;
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '--profile' && i + 1 < words.length) profile = words[++i];
    else if (words[i]!.startsWith('--profile=')) profile = words[i]!.slice('--profile='.length);
  }
  return profile;
}

/**
 * Helper lines that apply to CodeCommit URLs, as git sees them from `ctx.cwd`, in git's order,
 * limited to `scopes` and leaving out cc-helper's own files (under `ownedDir`).
 */
export async function findExistingHelpers(ctx: GitContext, scopes: ReadonlySet<string>, ownedDir: string): Promise<ExistingHelper[]> {
  const r = await runGit(['config', '--list', '--show-origin', '--show-scope', '--includes', '-z'], ctx);
  if (r.code !== 0) {
    throw new UserError(`git cannot read your configuration (${gitMessage(r)}): fix it first, then run setup again; nothing was changed`);
  }
  const fields = r.stdout.split('\0');
  const candidates: ExistingHelper[] = [];
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const scope = fields[i]!;
    const origin = utf8(fields[i + 1]!);
    const record = fields[i + 2]!;
    const nl = record.indexOf('\n');
    const key = utf8(nl < 0 ? record : record.slice(0, nl));
    const value = nl < 0 ? '' : utf8(record.slice(nl + 1));
    if (!scopes.has(scope)) continue;
    if (key !== 'credential.helper' && !/^credential\..+\.helper$/.test(key)) continue;
    const file = origin.startsWith('file:') ? origin.slice('file:'.length) : undefined;
    if (file && file.startsWith(ownedDir + sep)) continue;
    const entry: ExistingHelper = { scope, origin, key, value, ...classifyHelper(value) };
    if (file) entry.file = file;
    candidates.push(entry);
  }
  const urls = [...new Set(candidates.map((c) => c.key).filter((k) => k !== 'credential.helper').map((k) => k.slice('credential.'.length, -'.helper'.length)))];
  const matching = await urlsMatchingCodeCommit(urls, ctx);
  return candidates.filter((c) => c.key === 'credential.helper' || matching.has(c.key.slice('credential.'.length, -'.helper'.length)));
}

/** Which `credential.<url>` patterns git would apply to at least one CodeCommit host form. */
async function urlsMatchingCodeCommit(urls: readonly string[], ctx: GitContext): Promise<Set<string>> {
  const matching = new Set<string>();
  // A pattern naming one CodeCommit host (a region, a path) applies even if it misses the samples.
  for (const url of urls) if (namesCodeCommitHost(url)) matching.add(url);
  for (const url of await patternsMatchingUrls(urls, SAMPLE_CODECOMMIT_URLS, ctx)) matching.add(url);
  return matching;
}

/**
 * Which `credential.<pattern>` subsections git applies to at least one of `targets`, decided by
 * git itself. One probe key per pattern in a scratch file: each key is unique, so
 * `--get-urlmatch` lists every matching section (its "most specific wins" only picks among
 * values of the same key).
 */
export async function patternsMatchingUrls(patterns: readonly string[], targets: readonly string[], ctx: GitContext): Promise<Set<string>> {
  const matching = new Set<string>();
  if (patterns.length === 0) return matching;
  const text = await renderConfig(patterns.map((url, i) => [`credential.${url}.ccprobe${i}`, 'x'] as const), ctx);
  const dir = await mkdtemp(join(tmpdir(), 'cc-helper-probe-'));
  try {
    const file = join(dir, 'config');
    await writeFile(file, text, 'latin1');
    for (const url of targets) {
      const r = await runGit(['config', '--file', file, '--get-urlmatch', 'credential', url], ctx);
      for (const m of r.stdout.matchAll(/^credential\.ccprobe(\d+) /gm)) matching.add(patterns[Number(m[1])]!);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return matching;
}

function namesCodeCommitHost(pattern: string): boolean {
  try {
    const url = new URL(pattern);
    return url.protocol === 'https:' && recogniseCodeCommitHost(url.host) !== undefined;
  } catch {
    return false;
  }
}

/** What setup tells the user about one existing helper. */
export function explainHelper(h: ExistingHelper, where: string): string {
  const line = `${h.key} = ${h.value}  (${h.file ?? h.origin})`;
  switch (h.kind) {
    case 'storage':
      return `${line}\n    a storage helper: cc-helper's \`helper =\` reset removes it for CodeCommit URLs ${where}, so it neither answers with an old CodeCommit password nor stores a new one; other hosts still use it`;
    case 'aws-cli':
      return `${line}\n    the AWS CLI's helper${h.awsProfile ? ` (profile ${h.awsProfile})` : ''}: cc-helper's reset replaces it for CodeCommit URLs ${where}; --replace-aws-cli rewrites the line itself as a cc-helper line with the same profile`;
    case 'cc-helper':
      return `${line}\n    a cc-helper line written by hand: cc-helper's block comes after it and takes over ${where}`;
    case 'reset':
      return `${line}\n    a reset: nothing to do`;
    case 'other':
      return `${line}\n    another helper: cc-helper's reset removes it for CodeCommit URLs ${where}`;
  }
}

function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}
