// A small private file (0600) replaced whole, for cc-helper's caches and records (support/atomic-file.ts).
import { writeFileAtomicSync } from './atomic-file.js';

export function writePrivateFileSync(file: string, text: string): void {
  writeFileAtomicSync(file, text, { mode: 0o600 });
}
