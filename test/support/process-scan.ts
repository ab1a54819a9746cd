// What `ps` and /proc show other local users: every readable process's command line and
// environment (Linux only), so tests can prove a secret is in neither.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessView {
  pid: number;
  /** argv joined by spaces (NULs replaced). */
  cmdline: string;
  /** The environment, one `NAME=value` a line. */
  environ: string;
}

/** Every process whose /proc files this user may read (others are skipped, as they vanish or are denied). */
export function readableProcesses(): ProcessView[] {
  const views: ProcessView[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`).toString('latin1').replace(/\0/g, ' ').trim();
      const environ = readFileSync(`/proc/${name}/environ`).toString('latin1').replace(/\0/g, '\n');
      views.push({ pid: Number(name), cmdline, environ });
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return views;
}
