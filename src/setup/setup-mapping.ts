// `cc-helper setup --profile NAME [scope]`: plan, then (unless --dry-run) write the owned file and
// the include line, then (with --replace-aws-cli) convert AWS CLI helper lines.
import { stat } from 'node:fs/promises';
import { checkProfileName, DEFAULT_PROFILE } from '../aws-files/profile-choice.js';
import { UserError } from '../support/errors.js';
import { removeFile, writeFileAtomically } from './atomic-write.js';
import { findExistingHelpers, type ExistingHelper } from './existing-helpers.js';
import { gitVersion, runGit, type GitContext } from './git-run.js';
import { SAMPLE_CODECOMMIT_URLS } from './codecommit-url-patterns.js';
import { chooseLauncher, helperLine } from './helper-line.js';
import {
  checkParses,
  ConfigLock,
  managedIncludes,
  readIncluder,
  renderInclude,
  resolveIncludePath,
  rewriteIncluder,
  type ManagedInclude,
} from './includer-file.js';
import { isPinned, readIfExists, readOwnedFile, renderOwnedFile, withPins, type OwnedFileMeta } from './owned-file.js';
import { applyConversions, planConversions, type Conversion } from './replace-aws-cli.js';
import { describeMapping, ownedDir, resolveMapping, type Mapping, type ScopeRequest } from './scope.js';

/** What the owned file records as the "profile" of an ambient mapping: no profile name can look like it. */
export const AMBIENT_MAPPING = '(ambient)';

export interface SetupRequest {
  scope: ScopeRequest;
  /** The profile that signs; undefined: `--credentials ambient` (CI images, cloud), which needs `account`. */
  profile: string | undefined;
  allowDefault: boolean;
  /** Pins the helper line to this AWS account (`--account`). */
  account?: string | undefined;
  dryRun: boolean;
  replaceAwsCli: boolean;
}

export interface SetupReport {
  mapping: Mapping;
  profile: string;
  helper: string;
  launcherNote?: string;
  /** The owned file's new text, and whether it differs from what is there. */
  ownedText: string;
  ownedChanged: boolean;
  /** The profile this scope had before, when setup replaces it. */
  previousProfile?: string;
  /** The helper line this scope had before, when only it changes (Node or cc-helper moved, an older form). */
  previousHelper?: string;
  /** The include section for this mapping, as it appears in the includer. */
  includeText: string;
  includerCreated: boolean;
  includerChanged: boolean;
  /** cc-helper's sections at the end of the includer (all mappings it holds, in order). */
  includerTail: string;
  /** cc-helper's sections had to move to stay after lines added since. */
  moved: boolean;
  editedByHand: ManagedInclude[];
  existing: ExistingHelper[];
  conversions: Conversion[];
  /** Pinned directory mappings that come after this one and keep signing where both apply. */
  pinnedDirsAfter: Array<{ dir: string; profile: string }>;
}

export async function setupMapping(request: SetupRequest, ctx: GitContext): Promise<SetupReport> {
  const profile = request.profile ?? AMBIENT_MAPPING;
  if (request.profile !== undefined) checkProfileName(request.profile);
  if (request.profile === DEFAULT_PROFILE && !request.allowDefault) {
    throw new UserError(
      'refusing to set up the "default" profile: it may be a canary; name a dedicated profile, or add --allow-default if you really mean it',
    );
  }
  const mapping = await resolveMapping(request.scope, ctx);
  if (request.account === undefined && request.profile !== undefined && (mapping.kind === 'local' || mapping.repository !== undefined)) {
    await refuseToWeakenAPin(mapping, request.profile, ctx);
  }
  if (mapping.kind === 'remote') {
    const [major, minor] = await gitVersion(ctx);
    if (major < 2 || (major === 2 && minor < 36)) {
      throw new UserError(`--remote-url needs git 2.36 or later (includeIf "hasconfig:remote.*.url:"); this git is ${major}.${minor}: use --dir instead`);
    }
  }
  const owned = ownedDir(ctx.env);
  const state = await readIncluder(mapping.includer, ctx);
  const managed = await managedIncludes(state, owned, ctx);
  const metas = await metasOf(managed, mapping.includer, ctx);
  const { launcher, note } = chooseLauncher();
  const helper = helperLine(request.profile, launcher, { allowDefault: request.allowDefault, account: request.account });

  // What the user has now, as git sees it where this mapping applies (before anything changes).
  const detectionCtx = { env: ctx.env, cwd: await detectionDir(mapping, ctx.cwd) };
  const scopes = new Set(mapping.kind === 'local' ? ['system', 'global', 'local'] : ['system', 'global']);
  const existing = await findExistingHelpers(detectionCtx, scopes, owned);

  const text = state.text ?? '';
  const flags = {
    includerCreated: state.text === undefined || metas.some((m) => m.includerCreated),
    includerLackedFinalNewline:
      metas.some((m) => m.includerLackedFinalNewline) || (managed.length === 0 && text !== '' && !text.endsWith('\n')),
  };
  const ownedText = await renderOwnedFile(mapping, profile, helper, flags, ctx);
  const ownedBefore = await readIfExists(mapping.ownedFile);
  const previous = ownedBefore === undefined ? undefined : await readOwnedFile(mapping.ownedFile, ctx);

  const pinned = request.account !== undefined;
  const mine: ManagedInclude = mapping.condition === undefined ? { path: mapping.ownedFile, pinned } : { condition: mapping.condition, path: mapping.ownedFile, pinned };
  const desired = [...(await withPins(managed.filter((m) => m.condition !== mapping.condition), mapping.includer, ctx)), mine];
  const rewrite = await rewriteIncluder(text, managed, desired, ctx);
  const includeText = await renderInclude(mine, ctx);
  const includerChanged = state.text === undefined || rewrite.text !== state.text;
  const hadMine = managed.some((m) => m.condition === mapping.condition && m.path === mapping.ownedFile);

  const report: SetupReport = {
    mapping,
    profile,
    helper,
    ownedText,
    ownedChanged: ownedBefore !== ownedText,
    includeText,
    includerCreated: state.text === undefined,
    includerChanged,
    includerTail: rewrite.tail,
    moved: hadMine && includerChanged,
    editedByHand: rewrite.editedByHand,
    existing,
    conversions: planConversions(existing, launcher),
    pinnedDirsAfter: pinnedDirsAfter(mapping, pinned, metas),
  };
  if (note) report.launcherNote = note;
  if (previous && previous.profile !== profile) report.previousProfile = previous.profile;
  const previousHelper = previous?.helpers.find((h) => h !== '');
  if (previous && previous.profile === profile && previousHelper !== undefined && previousHelper !== helper) report.previousHelper = previousHelper;
  if (request.dryRun) return report;

  if (report.includerChanged || report.ownedChanged) {
    await checkParses(rewrite.text, `content of ${mapping.includer}`, ctx);
    // The lock first: a file that cannot be written stops setup before anything changes.
    const lock = report.includerChanged ? await ConfigLock.acquire(state) : undefined;
    try {
      if (report.ownedChanged) await writeFileAtomically(mapping.ownedFile, ownedText);
      if (lock) await lock.commit(rewrite.text);
    } catch (error) {
      await lock?.release();
      if (report.ownedChanged) {
        if (ownedBefore === undefined) await removeFile(mapping.ownedFile).catch(() => {});
        else await writeFileAtomically(mapping.ownedFile, ownedBefore).catch(() => {});
      }
      throw error;
    }
  }
  // An older include for this same scope pointing at another owned file (HOME or XDG moved): its file goes too.
  for (const m of managed) {
    const file = resolveIncludePath(m.path, mapping.includer, ctx.env);
    if (m.condition === mapping.condition && file !== mapping.ownedFile && file.startsWith(owned)) await removeFile(file).catch(() => {});
  }
  if (request.replaceAwsCli) await applyConversions(report.conversions, ctx);
  return report;
}

/**
 * The pinned directory mappings that keep winning where this new one could apply (their include
 * comes later, canonicalOrder): all of them for a remote-URL mapping in the global config (it
 * reaches repositories anywhere), the enclosing ones for an unpinned directory mapping.
 */
function pinnedDirsAfter(mapping: Mapping, pinned: boolean, metas: readonly OwnedFileMeta[]): Array<{ dir: string; profile: string }> {
  const dirs = metas.filter((m) => m.kind === 'dir' && isPinned(m) && m.target !== mapping.target);
  if (mapping.kind === 'remote' && mapping.repository === undefined) return dirs.map((m) => ({ dir: m.target, profile: m.profile }));
  if (mapping.kind === 'dir' && !pinned) return dirs.filter((m) => mapping.target.startsWith(m.target)).map((m) => ({ dir: m.target, profile: m.profile }));
  return [];
}

/**
 * A mapping in one repository's config comes after every other mapping git reads, so it wins
 * over them there: written without --account, it must not win over a pinned one (or leave
 * unpinned a profile setup pinned). The URLs judged: an exact remote URL, or the repository's
 * CodeCommit remotes and a standard CodeCommit URL (host-wide mappings cover them all).
 */
async function refuseToWeakenAPin(mapping: Mapping, profile: string, ctx: GitContext): Promise<void> {
  const { pinForRepositoryLine } = await import('./mapping-pins.js');
  const exact = mapping.kind === 'remote' && /^https:\/\/[^*?[\]]+$/.test(mapping.target);
  const urls = exact ? [mapping.target] : [...(await codeCommitRemotes(ctx)), SAMPLE_CODECOMMIT_URLS[0]!];
  for (const url of urls) {
    const pin = await pinForRepositoryLine(profile, url, ctx, { asIfRemote: exact });
    if (pin) {
      throw new UserError(
        `${describeMapping(mapping)} would win over what signs ${url} there now, pinned to account ${pin.account} (${pin.from}): ` +
          `add --account ${pin.account} to keep the pin (setup never writes a mapping that weakens one); nothing was changed`,
      );
    }
  }
}

/** The repository's https CodeCommit remote URLs (fetch and push). */
async function codeCommitRemotes(ctx: GitContext): Promise<string[]> {
  const r = await runGit(['config', '-z', '--get-regexp', '^remote\\..*\\.(url|pushurl)$'], ctx);
  const urls = new Set<string>();
  for (const record of r.stdout.split('\0')) {
    const url = record.slice(record.indexOf('\n') + 1);
    if (/^https:\/\/[^/]*git-codecommit/i.test(url)) urls.add(url);
  }
  return [...urls];
}

async function metasOf(managed: readonly ManagedInclude[], includer: string, ctx: GitContext): Promise<OwnedFileMeta[]> {
  const metas: OwnedFileMeta[] = [];
  for (const m of managed) {
    const meta = await readOwnedFile(resolveIncludePath(m.path, includer, ctx.env), ctx);
    if (meta) metas.push(meta);
  }
  return metas;
}

/** For --dir, ask git from inside that directory when it exists (its includeIf lines apply there). */
async function detectionDir(mapping: Mapping, cwd: string): Promise<string> {
  if (mapping.kind !== 'dir') return cwd;
  try {
    if ((await stat(mapping.target)).isDirectory()) return mapping.target;
  } catch {
    // not there yet
  }
  return cwd;
}
