// Which repositories `cc-helper migrate` looks at: the one here and its submodules (each has its
// own git directory and remotes), or, with `--all DIR`, every repository found below DIR.
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gitMessage, runGit, type GitContext } from '../setup/git-run.js';
import { UserError } from '../support/errors.js';
import { repositoryAt, type Repository } from './migrate.js';

/** The repository at `dir`, then its checked-out submodules, recursively. */
export async function repositoryWithSubmodules(dir: string, ctx: GitContext): Promise<Repository[]> {
  const top = await repositoryAt(dir, ctx, 'here');
  if (top.workTree === undefined) return [top];
  // `pwd` runs in each submodule's work tree; git quotes nothing here, one path a line.
  const listed = await runGit(['submodule', 'foreach', '--quiet', '--recursive', 'pwd'], { ...ctx, cwd: top.workTree });
  if (listed.code !== 0) throw new UserError(`git cannot list the submodules of ${top.workTree} (${gitMessage(listed)}): fix .gitmodules first; nothing was changed`);
  const out = listed.stdout;
  const found = [top];
  for (const path of Buffer.from(out, 'latin1').toString('utf8').split('\n').filter(Boolean)) found.push(await repositoryAt(path, ctx));
  return unique(found);
}

/** Every repository with a work tree below `dir` (a `.git` directory or file marks one); symlinks and node_modules are not followed. */
export async function repositoriesUnder(dir: string, ctx: GitContext): Promise<Repository[]> {
  const root = resolve(ctx.cwd, dir);
  const found: Repository[] = [];
  const visit = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      if (current === root) throw new UserError(`--all ${dir}: cannot read that folder (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return; // an unreadable folder below: nothing of ours there
    }
    if (entries.some((e) => e.name === '.git' && (e.isDirectory() || e.isFile()))) found.push(await repositoryAt(current, ctx));
    for (const e of entries) {
      if (e.isDirectory() && !e.isSymbolicLink() && e.name !== '.git' && e.name !== 'node_modules') await visit(join(current, e.name));
    }
  };
  await visit(root);
  return unique(found);
}

function unique(repositories: Repository[]): Repository[] {
  const seen = new Set<string>();
  return repositories.filter((r) => !seen.has(r.commonDir) && seen.add(r.commonDir));
}
