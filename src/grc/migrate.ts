// `cc-helper migrate` for one repository: its remotes (`remote.*.url`, `remote.*.pushurl`), its
// `submodule.*.url` entries and its `.gitmodules` move from git-remote-codecommit URLs to the
// https URL git-remote-codecommit itself would have used (grc-target.ts), and each https URL gets
// the URL's profile through setup's per-remote mapping (`setup --remote-url <https URL>`), so the
// next `git fetch` works without GRC.
//
// Files are changed the way setup changes config: the new text is made by `git config` on a
// temporary copy (only the changed lines differ), parsed, then put in place under git's own lock.
// The bytes before and after go into the repository's record first (migrate-record.ts); `--undo`
// writes the old bytes back when the file is still as migrate left it, and otherwise reverts only
// the URLs it changed, keeping whatever else was changed since.
import { isUtf8 } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { git, gitMessage, parseListZ, runGit, type GitContext } from '../setup/git-run.js';
import { ConfigLock, readIncluder, withTempFile, type IncluderState } from '../setup/includer-file.js';
import { helperLineOptions } from '../doctor/helper-profile.js';
import { readOwnedFile, type OwnedFileMeta } from '../setup/owned-file.js';
import { removeMappings } from '../setup/remove-mapping.js';
import { resolveMapping, type ScopeRequest } from '../setup/scope.js';
import { setupMapping } from '../setup/setup-mapping.js';
import { UserError } from '../support/errors.js';
import { resolveGrcTarget } from './grc-target.js';
import { grcPartOfRemoteUrl, parseGrcUrl } from './grc-url.js';
import { pinnedAccount } from './profile-pin.js';
import { fromBase64, readSteps, toBase64, writeSteps, type MappingStep, type MigratedFile, type MigrateStep, type UrlChange } from './migrate-record.js';

export interface Repository {
  /** `git rev-parse --git-common-dir`: holds `config` and migrate's record. */
  commonDir: string;
  /** The work tree (holds `.gitmodules`); undefined for a bare repository. */
  workTree?: string;
}

export interface PlannedUrl extends UrlChange {
  profile: string;
}

export interface SkippedUrl {
  file: MigratedFile;
  key: string;
  value: string;
  reason: string;
}

export interface RepositoryPlan {
  repository: Repository;
  urls: PlannedUrl[];
  skipped: SkippedUrl[];
}

const KEYS: Record<MigratedFile, RegExp> = {
  config: /^(?:remote\..+\.(?:url|pushurl)|submodule\..+\.url)$/,
  gitmodules: /^submodule\..+\.url$/,
};

export function filePath(repository: Repository, file: MigratedFile): string | undefined {
  if (file === 'config') return join(repository.commonDir, 'config');
  return repository.workTree === undefined ? undefined : join(repository.workTree, '.gitmodules');
}

/**
 * The repository `dir` is in; a UserError when it is in none, or when git cannot open it (another
 * user's repository git calls dubious, a damaged .git): then git's own reason, not "no repository".
 * `where`: `here` for the folder migrate runs in, `found` for one it found (a submodule, --all).
 */
export async function repositoryAt(dir: string, ctx: GitContext, where: 'here' | 'found' = 'found'): Promise<Repository> {
  const at = { ...ctx, cwd: dir };
  const common = await runGit(['rev-parse', '--path-format=absolute', '--git-common-dir'], at);
  if (common.code !== 0) {
    const said = gitMessage(common);
    if (where === 'here' && /not a git repository/i.test(said)) {
      throw new UserError(`the current folder (${dir}) is not in a git repository: cd into one, or use --all DIR for the repositories below a folder`);
    }
    throw new UserError(`git cannot open the repository at ${dir} (${said}): fix that first; nothing was changed`);
  }
  const repository: Repository = { commonDir: common.stdout.trim() };
  const top = await runGit(['rev-parse', '--show-toplevel'], at);
  if (top.code === 0 && top.stdout.trim() !== '') repository.workTree = top.stdout.trim();
  return repository;
}

/** What migrate would change in one repository, and the codecommit URLs it must leave alone (with why). */
export async function planRepository(repository: Repository, ctx: GitContext): Promise<RepositoryPlan> {
  const plan: RepositoryPlan = { repository, urls: [], skipped: [] };
  for (const file of ['config', 'gitmodules'] as const) {
    const path = filePath(repository, file);
    if (path === undefined || !(await exists(path))) continue;
    const listed = await runGit(['config', '--file', path, '--list', '-z'], ctx);
    if (listed.code !== 0) throw new UserError(`git cannot read ${path}: fix it first (git config --file ${path} --edit); nothing was changed`);
    const seen = new Set<string>();
    for (const { key, value: bytes } of parseListZ(listed.stdout)) {
      // git hands out bytes (latin1 here); the URL is text, and goes back to git as argv (UTF-8).
      const value = bytes === undefined ? undefined : Buffer.from(bytes, 'latin1').toString('utf8');
      const grc = value === undefined || !KEYS[file].test(key) ? undefined : grcPartOfRemoteUrl(value);
      if (grc === undefined || seen.has(`${key}\0${value}`)) continue;
      seen.add(`${key}\0${value}`);
      if (!isUtf8(Buffer.from(bytes!, 'latin1'))) {
        // `--fixed-value` could not match it, and --replace-all would add a line instead.
        plan.skipped.push({ file, key, value: value!, reason: 'the URL is not valid UTF-8: fix it by hand' });
        continue;
      }
      try {
        const target = resolveGrcTarget(parseGrcUrl(grc), ctx.env);
        plan.urls.push({ file, key, from: value!, to: target.httpsUrl, profile: target.profile });
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        plan.skipped.push({ file, key, value: value!, reason: error.message });
      }
    }
  }
  // One https URL can have one profile: the same repository named with two profiles stays as it is.
  const profiles = new Map<string, Set<string>>();
  for (const u of plan.urls) profiles.set(u.to, (profiles.get(u.to) ?? new Set()).add(u.profile));
  for (const u of plan.urls.filter((u) => profiles.get(u.to)!.size > 1)) {
    plan.skipped.push({ file: u.file, key: u.key, value: u.from, reason: `${u.to} is also named with another profile (${[...profiles.get(u.to)!].join(', ')}): one URL can sign with one profile; make them agree` });
  }
  plan.urls = plan.urls.filter((u) => profiles.get(u.to)!.size === 1);
  return plan;
}

/** The distinct (https URL, profile) pairs of a plan: the mappings it needs. */
export function mappingsOf(plan: RepositoryPlan): Array<{ pattern: string; profile: string }> {
  const pairs = new Map<string, string>();
  for (const u of plan.urls) pairs.set(u.to, u.profile);
  return [...pairs].map(([pattern, profile]) => ({ pattern, profile }));
}

/** Carries out a plan; returns the step recorded, or undefined when there was nothing to do. */
export async function migrateRepository(plan: RepositoryPlan, ctx: GitContext): Promise<MigrateStep | undefined> {
  if (plan.urls.length === 0) return undefined;
  const { repository } = plan;
  const files = [...new Set(plan.urls.map((u) => u.file))];
  const states = new Map<MigratedFile, IncluderState & { after: string }>();
  for (const file of files) {
    const state = await readIncluder(filePath(repository, file)!, ctx);
    const changes = plan.urls.filter((u) => u.file === file);
    const after = await withTempFile(state.text ?? '', async (tmp) => {
      for (const c of changes) await git(['config', '--file', tmp, '--fixed-value', '--replace-all', c.key, c.to, c.from], ctx);
      return readFile(tmp, 'latin1');
    });
    states.set(file, { ...state, after });
  }
  // The mappings first: if one cannot be made, no URL has changed yet.
  const mappings: MappingStep[] = [];
  try {
    for (const { pattern, profile } of mappingsOf(plan)) {
      const scope: ScopeRequest = { kind: 'remote', pattern };
      const prior = await readOwnedFile((await resolveMapping(scope, ctx)).ownedFile, ctx);
      // A profile setup pinned to an account stays pinned on its new mapping.
      const account = pinnedAccount(profile, ctx.env);
      await setupMapping({ scope, profile, allowDefault: false, account, dryRun: false, replaceAwsCli: false }, ctx);
      mappings.push({ pattern, profile, before: priorMapping(prior, profile, account) });
    }
  } catch (error) {
    // Not recorded yet, so --undo could not find them: take back the ones made.
    await undoMappings(mappings, ctx).catch(() => {});
    throw error;
  }
  const step: MigrateStep = {
    at: new Date().toISOString(),
    files: files.map((file) => ({ file, before: toBase64(states.get(file)!.text ?? ''), after: toBase64(states.get(file)!.after) })),
    changes: plan.urls.map(({ file, key, from, to }) => ({ file, key, from, to })),
    mappings,
  };
  await writeSteps(repository.commonDir, [...(await readSteps(repository.commonDir)), step]);
  const locks: Array<[ConfigLock, string]> = [];
  try {
    for (const file of files) locks.push([await ConfigLock.acquire(states.get(file)!), states.get(file)!.after]);
  } catch (error) {
    for (const [lock] of locks) await lock.release();
    throw error;
  }
  // commit() cleans up its own lock when it fails; the ones not reached yet are released.
  for (const [i, [lock, text]] of locks.entries()) {
    try {
      await lock.commit(text);
    } catch (error) {
      for (const [rest] of locks.slice(i + 1)) await rest.release();
      throw error;
    }
  }
  return step;
}

export interface UndoReport {
  repository: Repository;
  /** Files given back byte for byte. */
  restored: MigratedFile[];
  /** Files changed since migrate: only the URLs were put back. */
  urlsReverted: MigratedFile[];
  mappings: MappingStep[];
  /** No record: migrate changed nothing here. */
  nothing: boolean;
}

export async function undoRepository(repository: Repository, dryRun: boolean, ctx: GitContext): Promise<UndoReport> {
  const report: UndoReport = { repository, restored: [], urlsReverted: [], mappings: [], nothing: false };
  const steps = await readSteps(repository.commonDir);
  report.nothing = steps.length === 0;
  while (steps.length > 0) {
    const step = steps.at(-1)!;
    for (const f of step.files) {
      const path = filePath(repository, f.file);
      if (path === undefined) continue;
      const state = await readIncluder(path, ctx);
      const exact = state.text === fromBase64(f.after);
      (exact ? report.restored : report.urlsReverted).push(f.file);
      if (dryRun) continue;
      if (exact) {
        await (await ConfigLock.acquire(state)).commit(fromBase64(f.before));
        continue;
      }
      for (const c of step.changes.filter((c) => c.file === f.file)) {
        // --replace-all adds a line when nothing matches: only where the https URL is still there.
        if ((await runGit(['config', '--file', path, '--fixed-value', '--get-all', c.key, c.to], ctx)).code !== 0) continue;
        await git(['config', '--file', path, '--fixed-value', '--replace-all', c.key, c.from, c.to], ctx);
      }
    }
    report.mappings.push(...[...step.mappings].reverse());
    if (!dryRun) await undoMappings(step.mappings, ctx);
    steps.pop();
    if (!dryRun) await writeSteps(repository.commonDir, steps);
  }
  return report;
}

/** What a mapping was before migrate set it to `profile` (with `account`'s pin, if any). */
function priorMapping(prior: OwnedFileMeta | undefined, profile: string, account: string | undefined): MappingStep['before'] {
  if (!prior) return { kind: 'none' };
  const priorAccount = prior.helpers.map((h) => helperLineOptions(h).account).find((a) => a !== undefined);
  if (prior.profile === profile && priorAccount === account) return { kind: 'same' };
  return priorAccount === undefined ? { kind: 'profile', profile: prior.profile } : { kind: 'profile', profile: prior.profile, account: priorAccount };
}

/** Puts each mapping back as it was before migrate, last first. */
async function undoMappings(mappings: readonly MappingStep[], ctx: GitContext): Promise<void> {
  for (const m of [...mappings].reverse()) {
    const scope: ScopeRequest = { kind: 'remote', pattern: m.pattern };
    if (m.before.kind === 'none') await removeMappings({ scope }, false, ctx);
    else if (m.before.kind === 'profile') {
      await setupMapping({ scope, profile: m.before.profile, allowDefault: false, account: m.before.account, dryRun: false, replaceAwsCli: false }, ctx);
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
