// The report: each case's median, spread and peak memory, its ratio to `node -e 0` and to the
// AWS CLI or the zero-cost helper, the issue's targets, the table printed and the JSON written
// (--out), which scripts/perf-table.ts turns into the table in docs/performance.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { Options } from './options.js';
import type { Case, Kind, Sample } from './runs.js';
import { AWS_CLI, GNU_TIME, SYSTEM_PATH } from './world.js';

export interface CaseResult {
  name: string;
  label: string;
  kind: Kind;
  runs: number;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
  peakRssMB: number | null;
  ratioToNode: number | null;
  awsMedianMs: number | null;
  awsFasterBy: number | null;
  /** git cases: this median over the zero-cost helper's, and cc-helper's share of the operation. */
  versus?: { name: string; ratio: number; helperShare: number };
}

export interface Target {
  value: number | null;
  goal: string;
  /** null: not measured in this run (a case left out, a tool missing). */
  met: boolean | null;
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 1) return sorted[0]!;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
export const round2 = (n: number) => Math.round(n * 100) / 100;

export function summarise(cases: Case[], samples: Map<string, Sample>): CaseResult[] {
  const median = (name: string): number | null => {
    const s = samples.get(name);
    return s && s.ms.length ? quantile([...s.ms].sort((a, b) => a - b), 0.5) : null;
  };
  const nodeMedian = median('node -e 0');
  return cases.map((c) => {
    const sorted = [...samples.get(c.name)!.ms].sort((a, b) => a - b);
    const rss = samples.get(c.name)!.rssKb;
    const med = quantile(sorted, 0.5);
    const awsMedian = c.kind === 'helper' ? median(`aws:${c.name}`) : null;
    const versusMedian = c.versus ? median(c.versus) : null;
    return {
      name: c.name,
      label: c.label,
      kind: c.kind,
      runs: sorted.length,
      medianMs: round1(med),
      p10Ms: round1(quantile(sorted, 0.1)),
      p90Ms: round1(quantile(sorted, 0.9)),
      minMs: round1(sorted[0]!),
      maxMs: round1(sorted.at(-1)!),
      peakRssMB: rss.length ? round1(Math.max(...rss) / 1024) : null,
      ratioToNode: nodeMedian && c.kind !== 'git' ? round2(med / nodeMedian) : null,
      awsMedianMs: awsMedian === null ? null : round1(awsMedian),
      awsFasterBy: awsMedian === null ? null : round1(awsMedian / med),
      ...(c.versus && versusMedian !== null ? { versus: { name: c.versus, ratio: round2(med / versusMedian), helperShare: round2(Math.max(0, med - versusMedian) / med) } } : {}),
    };
  });
}

export function table(results: CaseResult[]): string {
  const rows = [['case', 'median ms', 'p10–p90 ms', 'peak RSS MB', 'x node -e 0', 'other']];
  for (const r of results) {
    const other = r.awsFasterBy !== null ? `AWS CLI ${r.awsFasterBy.toFixed(1)}x slower` : r.versus ? `${r.versus.ratio.toFixed(2)}x zero-cost; helper ${Math.round(r.versus.helperShare * 100)}%` : '';
    rows.push([
      r.label,
      r.medianMs.toFixed(1),
      `${r.p10Ms.toFixed(1)}–${r.p90Ms.toFixed(1)}`,
      r.peakRssMB === null ? 'n/a' : r.peakRssMB.toFixed(1),
      r.ratioToNode === null ? '' : r.ratioToNode.toFixed(2),
      other,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row, n) => {
      const line = row.map((cell, i) => (i === 0 || i === row.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
      return n === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n')
    .replace(/ +$/gm, '');
}

/** The issue's targets. A target whose case was not run reads "not measured" (met: null). */
export function targets(results: CaseResult[]): Record<string, Target> {
  const by = (name: string) => results.find((r) => r.name === name);
  const atMost = (value: number | null | undefined, limit: number): Target => ({ value: value ?? null, goal: `<= ${limit}`, met: value == null ? null : value <= limit });
  const perProfile = (n: number | string) => {
    const one = by('profiles-1');
    const many = by(`profiles-${n}`);
    return one && many ? round2(many.medianMs / one.medianMs) : null;
  };
  const staticRss = by('static')?.peakRssMB ?? null;
  const awsBy = by('static')?.awsFasterBy ?? null;
  const goals: Record<string, Target> = {
    'static get / node -e 0': atMost(by('static')?.ratioToNode, 1.15),
    'static get peak RSS MB': { value: staticRss, goal: '< 45', met: staticRss === null ? null : staticRss < 45 },
    '5000 profiles / 1 profile': atMost(perProfile(5000), 1.1),
    '50000 profiles / 1 profile': atMost(perProfile(50000), 1.5),
    '5000 profiles, first get after a change / 1 profile': atMost(perProfile('5000-changed'), 1.1),
    '50000 profiles, first get after a change / 1 profile': atMost(perProfile('50000-changed'), 1.5),
    'AWS CLI / static get': { value: awsBy, goal: '>= 7', met: awsBy === null ? null : awsBy >= 7 },
  };
  for (const name of ['role-warm', 'sso-warm', 'sso-refreshed', 'login-warm', 'login-refreshed']) {
    const warm = by(name);
    const stat = by('static');
    goals[`${name} / static get`] = atMost(warm && stat ? round2(warm.medianMs / stat.medianMs) : null, 1.3);
  }
  for (const r of results) {
    if (r.kind === 'git' && r.versus && !r.name.endsWith(':node-floor')) goals[`${r.label} / zero-cost helper`] = atMost(r.versus.ratio, 1.25);
  }
  if (!Object.keys(goals).some((name) => name.startsWith('git '))) goals['git operation / zero-cost helper'] = atMost(null, 1.25);
  return goals;
}

/** Writes the JSON (--out) and prints the table and the targets. `loadAtStart`: /proc/loadavg before the cases ran. */
export function report(options: Options, results: CaseResult[], loadAtStart: string | null, helperLines: string[]): void {
  const goals = targets(results);
  const memoryMethod = existsSync(GNU_TIME) ? 'max ru_maxrss over separate runs under /usr/bin/time -f %M' : 'not measured (/usr/bin/time missing)';
  const json = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGB: round1(totalmem() / 2 ** 30),
    // Other processes competing for the CPU stretch every case alike and so squeeze the ratios.
    loadAverage: { start: loadAtStart, end: readLoadAverage() },
    pageTouchUs: measurePageTouch(),
    quick: options.quick,
    runs: options.runs,
    awsRuns: options.aws ? options.awsRuns : 0,
    awsCli: options.aws ? AWS_CLI : null,
    secrets: {
      perCase: options.secrets,
      how: 'a random access key id and 40-character secret (crypto.randomBytes) written into the AWS files of each of the case\'s temporary HOMEs; run n uses HOME n mod the pool',
      signingTime: 'the wall clock of each run (natural variation over the bench; no clock override)',
    },
    helperLines,
    wallTime: 'spawn() to exit with pipes closed, request on stdin as git sends it; git cases: the whole git command',
    memory: memoryMethod,
    cases: results,
    targets: goals,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, JSON.stringify(json, null, 2) + '\n');

  console.log(
    `cc-helper bench: ${json.node}, ${json.cpu}; ${options.runs} runs a case over ${options.secrets} random secrets` +
      `${options.aws ? `, ${options.awsRuns} for the AWS CLI` : ', AWS CLI not measured'}${options.quick ? ' (quick: numbers are information only)' : ''}`,
  );
  console.log(table(results));
  console.log(`peak RSS: ${memoryMethod}`);
  const busiest = Math.max(...[loadAtStart, json.loadAverage.end].map((load) => Number(load?.split(' ')[0] ?? 0)));
  if (busiest > cpus().length) {
    console.log(`note: load average up to ${busiest} on ${cpus().length} CPUs during the run: other processes stretched every case, so the ratios understate differences`);
  }
  console.log(`\ntargets${options.quick ? ' (quick run: information, not judged)' : ''}:`);
  for (const [name, t] of Object.entries(goals)) console.log(`  ${name}: ${t.value ?? 'n/a'} (goal ${t.goal}) ${verdict(t, options.quick)}`);
  console.log(`\nwrote ${options.out}`);
}

function verdict(t: Target, quick: boolean): string {
  if (t.met === null) return 'not measured';
  if (quick) return t.met ? 'within goal (information)' : 'outside goal (information; quick runs are not judged)';
  return t.met ? 'met' : 'NOT met';
}

/**
 * What touching fresh memory costs on this machine, in microseconds per 4 KiB page: a child fills
 * 64 MiB it has just allocated, then the same again (already mapped), and the difference is the
 * page faults. Virtual machines that map memory lazily make this 10-50x a laptop's, and every
 * process start pays it for each page it touches.
 */
function measurePageTouch(): number | null {
  const script = 'const b=Buffer.allocUnsafeSlow(64<<20);let t=process.hrtime.bigint();b.fill(1);const a=process.hrtime.bigint()-t;t=process.hrtime.bigint();b.fill(2);const c=process.hrtime.bigint()-t;process.stdout.write(String(Number(a-c)/1e3/16384))';
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: SYSTEM_PATH } });
  const us = Number(run.stdout);
  return run.status === 0 && Number.isFinite(us) ? round2(us) : null;
}

export function readLoadAverage(): string | null {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return null;
  }
}
