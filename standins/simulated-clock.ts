// One simulated clock for a test and every process it starts: the stand-ins read `clock.now()`,
// and each helper (or git, and the helper git starts) runs under faketime with the same offset,
// so both sides agree on the simulated instant to within the time a process takes to start.
//
// How (faketime 0.9.10, Node 20; see test/aws-cli-oracle.test.ts for the frozen-clock form):
// - `faketime -f +N cmd` runs cmd with its wall clock N seconds ahead and running: a lock wait
//   or a timeout then lasts real seconds, as it would at that hour of the day. The offset is
//   whole seconds and the stand-ins use exactly the same one.
// - FAKETIME_DONT_FAKE_MONOTONIC=1: libuv's timers run on CLOCK_MONOTONIC; faked, Node's
//   setTimeout misbehaves. The AWS CLI's Python must not get it (its time.sleep() then fails with
//   EINVAL): `fakeMonotonic: true` leaves it out.
// - The variables pass to children, so `git push` under faketime runs the helper under it too.
// - File times stay real: Node (libuv) and coreutils read them with statx(), which libfaketime
//   0.9.10 does not intercept, so a process running N seconds ahead sees every file as N seconds
//   older than it is. Anything that judges a file by its age against the clock (cc-helper's
//   lock breaks a lock whose heartbeat looks older than its stale limit) is misled by a large
//   offset: tests whose processes contend for a lock put that instant at offset ~0 (they make
//   the real now the simulated instant of the race); a lone process takes its locks uncontested.
// - The wrapper names a semaphore and a shared-memory file after its pid in /dev/shm and removes
//   them when it exits normally; a run killed at its timeout has them removed here.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Env, RunResult } from './git-env.js';

export const FAKETIME_BIN = '/usr/bin/faketime';

export interface SimulatedClock {
  /** The simulated now (for the stand-ins: `standIn.now = clock.now`). */
  now(): Date;
  /** Moves the simulated clock so that it reads `at` now. */
  set(at: Date): void;
  /** Simulated minus real time, in whole seconds. */
  offsetSeconds(): number;
  /** Runs a program with its clock at the simulated time. */
  run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult>;
}

export interface RunOptions {
  cwd?: string;
  env: Env;
  input?: string | Buffer;
  timeoutMs?: number;
  /** For Python (the AWS CLI): its time.sleep() fails on a real monotonic clock under libfaketime. */
  fakeMonotonic?: boolean;
}

export function simulatedClock(): SimulatedClock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    set(at) {
      // Whole seconds (faketime's offset), rounded up: the simulated now is never before `at`.
      offsetMs = Math.ceil((at.getTime() - Date.now()) / 1000) * 1000;
    },
    offsetSeconds: () => offsetMs / 1000,
    run: (command, args, options) => runShifted(offsetMs / 1000, command, args, options),
  };
}

/** `hh:mm` UTC on the day after today: within the two days the tests' throwaway CA certificates are valid. */
export function tomorrowAt(hhmm: string, from = new Date()): Date {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  if (!m) throw new Error(`tomorrowAt: not hh:mm: ${hhmm}`);
  return new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + 1, Number(m[1]), Number(m[2])));
}

/** `hh:mm` of a simulated instant, for logs. */
export function clockTime(at: Date): string {
  return at.toISOString().slice(11, 16);
}

function runShifted(offsetSeconds: number, command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const offset = `${offsetSeconds >= 0 ? '+' : '-'}${Math.abs(offsetSeconds)}`;
  const env = (options.fakeMonotonic ? { ...options.env } : { ...options.env, FAKETIME_DONT_FAKE_MONOTONIC: '1' }) as NodeJS.ProcessEnv;
  return runUnderFaketime([FAKETIME_BIN, '-f', offset, command, ...args], { env, cwd: options.cwd, input: options.input, timeoutMs: options.timeoutMs ?? 60_000 }).then(
    ({ code, signal, stdout, stderr }) => ({ code, signal, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8') }),
  );
}

export interface FaketimeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: Buffer;
  stderr: Buffer;
}

/**
 * Runs argv, whose process is faketime itself (or execs it in place, as `unshare` does), killed
 * at its timeout; a killed faketime leaves its pid-named semaphore and shared memory in /dev/shm,
 * removed here. The running clock above and the AWS CLI oracle's frozen one both run through it.
 */
export function runUnderFaketime(argv: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string; input?: string | Buffer; timeoutMs: number }): Promise<FaketimeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {});
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut && child.pid !== undefined) {
        for (const name of [`sem.faketime_sem_${child.pid}`, `faketime_shm_${child.pid}`]) rmSync(join('/dev/shm', name), { force: true });
      }
      resolve({ code, signal, timedOut, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
    child.stdin.end(options.input ?? '');
  });
}
