// `cc-helper setup --list`: every mapping cc-helper manages, from its owned files, checked
// against the include lines that make git read them.
import type { GitContext } from './git-run.js';
import { managedIncludes, readIncluder, resolveIncludePath, type ManagedInclude } from './includer-file.js';
import { listOwnedFiles } from './owned-file.js';
import { ownedDir, resolveMapping, type ScopeKind } from './scope.js';

export interface ListedMapping {
  kind: ScopeKind | 'unknown';
  target: string;
  /** A remote-URL mapping of one repository: that repository. */
  repository?: string;
  profile?: string;
  /** The owned file. */
  file: string;
  includer: string;
  /** 'active': included and present; 'not included': the include line is gone; 'file missing': the include points at nothing. */
  status: 'active' | 'not included' | 'file missing' | 'includer unreadable';
}

export async function listMappings(ctx: GitContext): Promise<ListedMapping[]> {
  const owned = ownedDir(ctx.env);
  const files = await listOwnedFiles(owned, ctx);
  const includers = new Set(files.map((f) => f.meta.includer));
  const global = await resolveMapping({ kind: 'global' }, ctx).catch(() => undefined);
  if (global) includers.add(global.includer);

  const includedBy = new Map<string, ManagedInclude[] | undefined>();
  for (const includer of includers) {
    try {
      includedBy.set(includer, await managedIncludes(await readIncluder(includer, ctx), owned, ctx));
    } catch {
      includedBy.set(includer, undefined);
    }
  }
  const listed: ListedMapping[] = [];
  const seen = new Set<string>();
  for (const { file, meta } of files) {
    seen.add(file);
    const includes = includedBy.get(meta.includer);
    const included = includes?.some((m) => resolveIncludePath(m.path, meta.includer, ctx.env) === file);
    listed.push({
      kind: meta.kind,
      target: meta.target,
      ...(meta.repository !== undefined ? { repository: meta.repository } : {}),
      profile: meta.profile,
      file,
      includer: meta.includer,
      status: includes === undefined ? 'includer unreadable' : included ? 'active' : 'not included',
    });
  }
  for (const [includer, includes] of includedBy) {
    for (const m of includes ?? []) {
      const file = resolveIncludePath(m.path, includer, ctx.env);
      if (seen.has(file)) continue;
      listed.push({ kind: 'unknown', target: m.condition ?? '(include)', file, includer, status: 'file missing' });
    }
  }
  const rank: Record<string, number> = { global: 0, local: 1, dir: 2, remote: 3, unknown: 4 };
  return listed.sort((a, b) => a.includer.localeCompare(b.includer) || rank[a.kind]! - rank[b.kind]! || a.target.localeCompare(b.target));
}
