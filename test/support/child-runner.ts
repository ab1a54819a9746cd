// Starts test/support/lock-child.js as real processes: run to completion, or start one that
// holds a lock and waits (to be SIGKILLed).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run, type RunResult } from '../../standins/git-env.js';

export const LOCK_CHILD = fileURLToPath(new URL('./lock-child.js', import.meta.url));

export type ChildResult = RunResult;

export function runLockChild(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ChildResult> {
  return run(process.execPath, [LOCK_CHILD, ...args], { env });
}

/** Resolves once the child printed `ready…` (it then holds the lock); rejects if it exits first. */
export function startHolder(args: string[]): Promise<{ child: ChildProcess; readyLine: string; exited: Promise<ChildResult> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOCK_CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let ready = false;
    const exited = new Promise<ChildResult>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const line = /^ready.*$/m.exec(stdout);
      if (line && !ready) {
        ready = true;
        resolve({ child, readyLine: line[0], exited });
      }
    });
    child.on('error', reject);
    void exited.then((r) => {
      if (!ready) reject(new Error(`holder exited before holding the lock (code ${r.code}): ${r.stderr}`));
    });
  });
}

export async function killHard(child: ChildProcess, exited: Promise<ChildResult>): Promise<ChildResult> {
  child.kill('SIGKILL');
  return exited;
}
