// Config text produced by git itself: entries are added one by one with `git config --file`
// to a fresh temporary file, so quoting and escaping (quotes, backslashes, `#`, `;`, spaces in
// paths) are git's own, and whatever setup writes is something git reads back the same way.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, type GitContext } from './git-run.js';

/** `[section "sub"] key = value` entries in order; key is `section.sub.name` as git config takes it. */
export type ConfigAdd = readonly [key: string, value: string];

/** The text git writes for these entries in an empty file (latin1: bytes as they are on disk). */
export async function renderConfig(entries: readonly ConfigAdd[], ctx: GitContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-helper-render-'));
  try {
    const file = join(dir, 'config');
    for (const [key, value] of entries) await git(['config', '--file', file, '--add', key, value], ctx);
    return await readFile(file, 'latin1');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An include line as setup writes it: `[include]` or `[includeIf "<condition>"]`, then `path = ...`. */
export function includeEntry(condition: string | undefined, path: string): ConfigAdd {
  return [condition === undefined ? 'include.path' : `includeIf.${condition}.path`, path];
}
