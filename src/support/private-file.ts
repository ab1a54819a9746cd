// A small private file (0600) replaced whole: written to a temp file beside it, then renamed, so a
// reader never sees half of it and a failed write leaves nothing behind.
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';

export function writePrivateFileSync(file: string, text: string): void {
  // pid + random: concurrent writers never share a temp file (no node:crypto needed for that).
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    throw error;
  }
}
