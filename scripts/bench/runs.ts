// The runs: what a case is (a command, its input and environment for run n, what a correct
// answer looks like, the hooks around its runs), one run's wall time from spawn() to exit with
// the pipes closed, the warm-ups that prove every HOME answers correctly, the rounds in random
// order, the guards that check after the timed runs, and the peak memory from separate runs.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RACY_MARGIN_MS } from '../../src/aws-files/clean-file-memo.js';
import type { Options } from './options.js';
import { GNU_TIME } from './world.js';

export type Kind = 'floor' | 'probe' | 'helper' | 'aws' | 'git';

export interface Case {
  name: string;
  label: string;
  kind: Kind;
  command: string;
  args: string[];
  /** The environment (and working directory) for run n: cases over random secrets cycle through their HOMEs. */
  env: (run: number) => NodeJS.ProcessEnv;
  cwd?: (run: number) => string;
  input: string;
  /** What a correct run prints on stdout; checked on the warm-up runs. */
  expect: (stdout: string) => boolean;
  /** git cases: the zero-cost helper's case for the same operation, which this one is divided by. */
  versus?: string;
  /** Runs before run n, outside its time (e.g. rewrites a file, as an edit would). */
  beforeRun?: (run: number) => void;
  /** Warm up twice, RACY_MARGIN_MS apart, so a large file is remembered clean before timing. */
  warmTwice?: boolean;
  /** Once before the warm-up, outside any time: e.g. the first get of each HOME, which refreshes a sign-in. */
  prepare?: () => Promise<void>;
  /** After the timed runs: throws when they did what the case says they do not (e.g. call a service). */
  verify?: () => void;
}

export interface RunOutcome {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runOnce(c: Case, run = 0, wrapper?: { rssFile: string }): Promise<RunOutcome> {
  c.beforeRun?.(run);
  const [command, args] = wrapper
    ? [GNU_TIME, ['-f', '%M', '-o', wrapper.rssFile, c.command, ...c.args]]
    : [c.command, c.args];
  return new Promise((ok, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: c.env(run), cwd: c.cwd?.(run), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => ok({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(c.input);
  });
}

/**
 * Every HOME of a helper case answers correctly (each random key once), which also warms the page
 * cache. The AWS CLI (half a second a run) is checked with one key; a git case's HOMEs were each
 * proved by the clone made through its helper.
 */
export async function check(c: Case, pool: number): Promise<void> {
  const homes = c.kind === 'helper' || c.kind === 'probe' ? pool : 1;
  for (let run = 0; run < homes; run++) {
    const outcome = await runOnce(c, run);
    if (outcome.code !== 0 || !c.expect(outcome.stdout) || (c.kind !== 'aws' && outcome.stderr !== '')) {
      throw new Error(
        `case "${c.name}" did not answer as expected (exit ${outcome.code}):\nstdout: ${outcome.stdout.slice(0, 300)}\nstderr: ${outcome.stderr.slice(0, 600)}`,
      );
    }
  }
}

export function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

export interface Sample {
  ms: number[];
  rssKb: number[];
}

export async function measure(cases: Case[], options: Options, root: string, beforeRound: () => Promise<void>): Promise<Map<string, Sample>> {
  const samples = new Map<string, Sample>(cases.map((c) => [c.name, { ms: [], rssKb: [] }]));
  for (const c of cases) await c.prepare?.();
  for (const c of cases) await check(c, options.secrets);
  // cc-helper trusts a large file as clean after two clean reads at least RACY_MARGIN_MS apart:
  // a second warm-up of those cases, later, leaves the memo every timed get of theirs uses.
  const remembered = cases.filter((c) => c.warmTwice);
  if (remembered.length) {
    await new Promise((ok) => setTimeout(ok, RACY_MARGIN_MS + 200));
    for (const c of remembered) await check(c, options.secrets);
  }
  // Rounds in a fresh random order each time, so drift (thermal, other load) spreads evenly.
  const rounds = Math.max(options.runs, options.awsRuns);
  for (let round = 0; round < rounds; round++) {
    await beforeRound();
    for (const c of shuffle(cases)) {
      const want = c.kind === 'aws' ? options.awsRuns : options.runs;
      const sample = samples.get(c.name)!;
      if (sample.ms.length >= want) continue;
      const outcome = await runOnce(c, round);
      if (outcome.code !== 0) throw new Error(`case "${c.name}" failed on round ${round + 1} (exit ${outcome.code}): ${outcome.stderr.slice(0, 600)}`);
      sample.ms.push(outcome.ms);
    }
    if (process.stderr.isTTY) process.stderr.write(`\rround ${round + 1}/${rounds}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  for (const c of cases) c.verify?.();
  if (existsSync(GNU_TIME)) {
    const rssFile = join(root, 'rss.txt');
    for (const c of cases.filter((c) => c.kind !== 'git')) {
      const runs = c.kind === 'aws' ? 1 : options.memoryRuns;
      for (let run = 0; run < runs; run++) {
        await runOnce(c, run, { rssFile });
        const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
        if (Number.isFinite(kb)) samples.get(c.name)!.rssKb.push(kb);
      }
    }
  }
  return samples;
}