// Runs the built helper as git does: a fresh process, the request on stdin, stdout and stderr
// captured. The environment is built from scratch so nothing leaks in from the developer's.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type RunResult } from './git-env.js';

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const HELPER_BIN = join(PACKAGE_ROOT, 'bin', 'cc-helper.js');

export type HelperResult = RunResult;

export function runHelper(args: string[], input: string | Buffer, env: NodeJS.ProcessEnv, timeoutMs?: number): Promise<HelperResult> {
  return run(process.execPath, [HELPER_BIN, ...args], { env, input, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

/** A helper run with its wall time and peak memory (GNU time's %M: the child's ru_maxrss). */
export interface MeasuredResult extends HelperResult {
  elapsedMs: number;
  peakRssMb: number;
}

const GNU_TIME = '/usr/bin/time';
const RSS_MARK = 'cc-helper-test-peak-rss-kb=';

/**
 * runHelper under /usr/bin/time, for the tests that prove a hostile input costs bounded time and
 * memory; `timeoutMs` kills a run that hangs (then `signal` says so). The time line is taken out
 * of stderr.
 */
export async function runHelperMeasured(args: string[], input: string | Buffer, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<MeasuredResult> {
  const started = Date.now();
  const r = await runGroup(GNU_TIME, ['-f', `${RSS_MARK}%M`, process.execPath, HELPER_BIN, ...args], env, input, timeoutMs);
  const elapsedMs = Date.now() - started;
  const lines = r.stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith(RSS_MARK));
  const peakRssMb = at < 0 ? Number.NaN : Number(lines[at]!.slice(RSS_MARK.length)) / 1024;
  const stderr = lines.filter((l) => !l.startsWith(RSS_MARK) && !l.startsWith('Command exited with non-zero status') && !l.startsWith('Command terminated by signal')).join('\n');
  return { ...r, stderr, elapsedMs, peakRssMb };
}

/** Like run(), in a process group of its own, all of it killed at the timeout (time(1) does not pass signals on). */
function runGroup(command: string, args: string[], env: NodeJS.ProcessEnv, input: string | Buffer, timeoutMs: number): Promise<HelperResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {});
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.end(input);
  });
}

/** A temporary HOME with AWS files; every variable the helper reads is set or cleared. */
export interface AwsHome {
  home: string;
  credentialsFile: string;
  configFile: string;
  env: NodeJS.ProcessEnv;
  cleanup: () => void;
}

export function makeAwsHome(files: { credentials?: string; config?: string } = {}): AwsHome {
  const home = mkdtempSync(join(tmpdir(), 'cc-helper-home-'));
  const credentialsFile = join(home, 'credentials');
  const configFile = join(home, 'config');
  if (files.credentials !== undefined) writeFileSync(credentialsFile, files.credentials, { mode: 0o600 });
  if (files.config !== undefined) writeFileSync(configFile, files.config, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_CONFIG_FILE: configFile,
    AWS_EC2_METADATA_DISABLED: 'true',
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
  };
  return { home, credentialsFile, configFile, env, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

export function request(attrs: Record<string, string>): string {
  return Object.entries(attrs).map(([k, v]) => `${k}=${v}\n`).join('') + '\n';
}
