// Where a file that cc-helper replaces whole (temp file + rename) really is, and whether it may
// be replaced. A symlinked file (dotfile managers) is replaced where it points, so the link stays;
// a link to nothing, or a file the person made read-only, is refused: the rename would otherwise
// silently turn it into a plain, writable file.
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { UserError } from './errors.js';

/** The path to write through: the link's target, or `file` itself (also when absent). */
export async function replaceTargetOf(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const link = await lstat(file).catch(() => undefined);
  if (link?.isSymbolicLink()) {
    throw new UserError(`${file} is a symlink to ${await readlink(file)}, which does not exist: create it (or remove the link), then try again`);
  }
  return file;
}

/** Refuses to replace a file its owner cannot write (setup refuses read-only git config alike). */
export async function checkReplaceable(target: string, file: string = target): Promise<void> {
  const stats = await stat(target).catch(() => undefined);
  if (stats && (stats.mode & 0o200) === 0) {
    throw new UserError(`${file} is read-only (mode ${(stats.mode & 0o777).toString(8)}): cc-helper does not replace it; make it writable (chmod u+w ${file}) if it may change`);
  }
}
