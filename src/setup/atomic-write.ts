// Files setup owns (cc-helper's own git config files, the askpass script) are replaced whole
// (support/atomic-file.ts), 0644 like the git config files git itself creates, latin1 because
// git config is bytes.
import { mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../support/atomic-file.js';

export async function writeFileAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, text, { mode: 0o644, encoding: 'latin1' });
}

export async function removeFile(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
