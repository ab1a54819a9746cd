// `cc-helper migrate` for one repository: its remotes (`remote.*.url`, `remote.*.pushurl`), its
// `submodule.*.url` entries and its `.gitmodules` move from git-remote-codecommit URLs to the
// https URL git-remote-codecommit itself would have used (remote-target.ts), and each of the
// repository's own remotes gets the URL's profile through a mapping in that repository's config
// (`setup --local --remote-url <https URL>`), so the next `git fetch` works without GRC.
//
// Only what GRC did, where it did it, and no more: a mapping in the repository's own config
// applies to that repository alone. A global `--remote-url` mapping would apply to every
// repository with that remote, and come after (so win over) the directory mappings a user pinned
// to accounts; and the URLs in `.gitmodules` (a tracked file, written by whoever wrote the
// repository) name other repositories, with the profile names they chose. So `.gitmodules` and
// `submodule.*.url` are rewritten but map nothing (a checked-out submodule is a repository of its
// own, migrated with its own remote); a mapping for every repository with a remote is the
// user's to make, with the command migrate prints. Each mapping carries the pin the repository
// already signs that URL with, or the one setup gave the profile (setup/mapping-pins.ts); when
// they disagree, the URL is left as it is, with why.
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
import { helperLineOptions } from '../setup/helper-profile.js';
import { readOwnedFile, type OwnedFileMeta } from '../setup/owned-file.js';
import { removeMappings } from '../setup/remove-mapping.js';
import { resolveMapping, type ScopeRequest } from '../setup/scope.js';
import { setupMapping } from '../setup/setup-mapping.js';
import { UserError } from '../support/errors.js';
import { resolveGrcTarget } from './remote-target.js';
import { grcPartOfRemoteUrl, parseGrcUrl } from './codecommit-url.js';
import { pinForRepositoryLine } from '../setup/mapping-pins.js';
import { fromBase64, readSteps, toBase64, writeSteps, type MappingStep, type MigratedFile, type MigrateStep, type UrlChange } from './migrate-record.js';

export interface Repository {
  /** `git rev-parse --git-common-dir`: holds `config` and migrate's record. */
  commonDir: string;
  /** The work tree (holds `.gitmodules`); undefined for a bare repository. */
  workTree?: string;
}

export interface PlannedUrl extends UrlChange {
  profile: string;
  /** A remote of this repository: it gets a mapping in the repository's config. Else (submodule URLs) it is rewritten only. */
  mapped: boolean;
  /** The pin its mapping carries, and why (mapping-pins.ts). */
  pin?: { account: string; from: string };
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
  const here = { ...ctx, cwd: repository.workTree ?? repository.commonDir };
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
        const mapped = file === 'config' && key.startsWith('remote.');
        const planned: PlannedUrl = { file, key, from: value!, to: target.httpsUrl, profile: target.profile, mapped };
        if (mapped) {
          const pin = await pinForRepositoryLine(target.profile, target.httpsUrl, here, { asIfRemote: true });
          if (pin) planned.pin = pin;
        }
        plan.urls.push(planned);
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

/** The distinct (https URL, profile, pin) of a plan's mapped URLs: the mappings it makes in the repository. */
export function mappingsOf(plan: RepositoryPlan): Array<{ pattern: string; profile: string; account?: string }> {
  const pairs = new Map<string, { pattern: string; profile: string; account?: string }>();
  for (const u of plan.urls) if (u.mapped) pairs.set(u.to, { pattern: u.to, profile: u.profile, ...(u.pin ? { account: u.pin.account } : {}) });
  return [...pairs.values()];
}

/** URLs a plan rewrites without a mapping (they name other repositories: submodules). */
export function unmappedOf(plan: RepositoryPlan): Array<{ pattern: string; profile: string }> {
  const mapped = new Set(mappingsOf(plan).map((m) => m.pattern));
  const pairs = new Map<string, string>();
  for (const u of plan.urls) if (!u.mapped && !mapped.has(u.to)) pairs.set(u.to, u.profile);
  return [...pairs].map(([pattern, profile]) => ({ pattern, profile }));
}

/** Carries out a plan; returns the step recorded, or undefined when there was nothing to do. */
export async function migrateRepository(plan: RepositoryPlan, ctx: GitContext): Promise<MigrateStep | undefined> {
  if (plan.urls.length === 0) return undefined;
  const { repository } = plan;
  const files = [...new Set(plan.urls.map((u) => u.file))];
  // The bytes before anything changes, for --undo.
  const before = new Map<MigratedFile, string>();
  for (const file of files) before.set(file, (await readIncluder(filePath(repository, file)!, ctx)).text ?? '');
  // The mappings first: if one cannot be made, no URL has changed yet. They go into the
  // repository's config, whose URLs are rewritten next, from the text they left.
  const mappings: MappingStep[] = [];
  try {
    for (const { pattern, profile, account } of mappingsOf(plan)) {
      const scope: ScopeRequest = { kind: 'remote', pattern, local: true };
      const prior = await readOwnedFile((await resolveMapping(scope, ctx)).ownedFile, ctx);
      await setupMapping({ scope, profile, allowDefault: false, account, dryRun: false, replaceAwsCli: false }, ctx);
      mappings.push({ pattern, profile, ...(account ? { account } : {}), scope: 'repository', before: priorMapping(prior, profile, account) });
    }
  } catch (error) {
    // Not recorded yet, so --undo could not find them: take back the ones made.
    await undoMappings(mappings, ctx).catch(() => {});
    throw error;
  }
  const states = new Map<MigratedFile, IncluderState & { after: string }>();
  try {
    for (const file of files) {
      const state = await readIncluder(filePath(repository, file)!, ctx);
      const changes = plan.urls.filter((u) => u.file === file);
      const after = await withTempFile(state.text ?? '', async (tmp) => {
        for (const c of changes) await git(['config', '--file', tmp, '--fixed-value', '--replace-all', c.key, c.to, c.from], ctx);
        return readFile(tmp, 'latin1');
      });
      states.set(file, { ...state, after });
    }
  } catch (error) {
    await undoMappings(mappings, ctx).catch(() => {});
    throw error;
  }
  const step: MigrateStep = {
    at: new Date().toISOString(),
    files: files.map((file) => ({ file, before: toBase64(before.get(file)!), after: toBase64(states.get(file)!.after) })),
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
    const scope: ScopeRequest = m.scope === 'repository' ? { kind: 'remote', pattern: m.pattern, local: true } : { kind: 'remote', pattern: m.pattern };
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
