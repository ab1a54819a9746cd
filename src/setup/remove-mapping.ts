// `cc-helper setup --remove [scope]` and `--remove --all`: cut cc-helper's include sections out
// of the includer and delete the owned files. When the last mapping of a file goes, the file is
// back to its bytes before setup: the newline setup added after a last line without one is taken
// away, and a file setup created is deleted if nothing else was written to it.
import { rmdir } from 'node:fs/promises';
import { removeFile } from './atomic-write.js';
import type { GitContext } from './git-run.js';
import { checkParses, ConfigLock, managedIncludes, readIncluder, resolveIncludePath, rewriteIncluder, type ManagedInclude } from './includer-file.js';
import { listOwnedFiles, readOwnedFile, withPins, type OwnedFileMeta } from './owned-file.js';
import { ownedDir, resolveMapping, type ScopeKind, type ScopeRequest } from './scope.js';

export interface RemovedMapping {
  kind: ScopeKind | 'unknown';
  target: string;
  repository?: string;
  profile?: string;
  ownedFile: string;
  includer: string;
}

export interface RemoveReport {
  removed: RemovedMapping[];
  /** Includers changed (or, with dryRun, that would be), and whether they were deleted. */
  includers: { file: string; deleted: boolean; editedByHand: ManagedInclude[] }[];
}

export async function removeMappings(what: { scope: ScopeRequest } | { all: true }, dryRun: boolean, ctx: GitContext): Promise<RemoveReport> {
  const owned = ownedDir(ctx.env);
  // includer -> which of its managed includes to remove (all of them for --all), plus owned files to delete.
  const plan = new Map<string, { select: (m: ManagedInclude) => boolean; ownedFiles: Set<string> }>();
  if ('all' in what) {
    for (const { file, meta } of await listOwnedFiles(owned, ctx)) {
      const entry = plan.get(meta.includer) ?? { select: () => true, ownedFiles: new Set<string>() };
      entry.ownedFiles.add(file);
      plan.set(meta.includer, entry);
    }
    const global = await resolveMapping({ kind: 'global' }, ctx).catch(() => undefined);
    if (global && !plan.has(global.includer)) plan.set(global.includer, { select: () => true, ownedFiles: new Set() });
  } else {
    const mapping = await resolveMapping(what.scope, ctx);
    plan.set(mapping.includer, { select: (m) => m.condition === mapping.condition, ownedFiles: new Set([mapping.ownedFile]) });
  }

  const report: RemoveReport = { removed: [], includers: [] };
  for (const [includer, { select, ownedFiles }] of plan) {
    const state = await readIncluder(includer, ctx);
    const managed = await managedIncludes(state, owned, ctx);
    const going = managed.filter(select);
    const staying = managed.filter((m) => !select(m));
    const metas = new Map<string, OwnedFileMeta | undefined>();
    for (const m of managed) {
      const file = resolveIncludePath(m.path, includer, ctx.env);
      metas.set(file, await readOwnedFile(file, ctx));
      if (select(m)) ownedFiles.add(file);
    }
    for (const file of ownedFiles) if (!metas.has(file)) metas.set(file, await readOwnedFile(file, ctx));

    for (const file of ownedFiles) {
      const meta = metas.get(file);
      if (!meta && !going.some((m) => resolveIncludePath(m.path, includer, ctx.env) === file)) continue;
      const removed: RemovedMapping = { kind: meta?.kind ?? 'unknown', target: meta?.target ?? file, ownedFile: file, includer };
      if (meta) removed.profile = meta.profile;
      if (meta?.repository !== undefined) removed.repository = meta.repository;
      report.removed.push(removed);
    }
    if (going.length === 0 || state.text === undefined) {
      if (!dryRun) for (const file of ownedFiles) await removeFile(file);
      continue;
    }

    const rewrite = await rewriteIncluder(state.text, managed, await withPins(staying, includer, ctx), ctx);
    let text = rewrite.text;
    let deleted = false;
    if (staying.length === 0) {
      const all = [...metas.values()].filter((m): m is OwnedFileMeta => m !== undefined);
      if (all.some((m) => m.includerLackedFinalNewline) && text.endsWith('\n')) text = text.slice(0, -1);
      if (all.some((m) => m.includerCreated) && text === '') deleted = true;
    }
    report.includers.push({ file: includer, deleted, editedByHand: rewrite.editedByHand });
    if (dryRun) continue;
    await checkParses(text, `content of ${includer}`, ctx);
    const lock = await ConfigLock.acquire(state);
    try {
      if (deleted) await lock.commitDeletion();
      else await lock.commit(text);
    } catch (error) {
      await lock.release();
      throw error;
    }
    for (const file of ownedFiles) await removeFile(file);
  }
  // The last mapping gone: so is the folder setup made for them (rmdir refuses a non-empty one).
  if (!dryRun) await rmdir(owned).catch(() => undefined);
  return report;
}
