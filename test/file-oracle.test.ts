// The file oracle: cc-helper must read the AWS shared files as the AWS CLI does. A seeded
// generator (test/support/aws-file-pairs.ts) writes random but plausible credentials/config pairs;
// for each, the AWS CLI's own code and cc-helper answer the same `get` at the same frozen second,
// and must print the same username and password, or both refuse, or differ only in a way listed
// in DELIBERATE_DIFFERENCES (docs/profiles.md, "How cc-helper reads the AWS files", says why).
//
// Speed: /usr/bin/aws costs ~0.6 s of CPU a run (Python importing botocore), so 500 runs would
// take minutes. Instead ONE Python process (test/support/aws-cli-in-process.py, run with the
// CLI's own interpreter) drives the Debian CLI's botocore and its codecommit credential-helper
// command for every pair, and cc-helper's `get` runs in this process (answerGet, the code behind
// the bin). A sample of pairs then goes through the real binaries under faketime — /usr/bin/aws
// and bin/cc-helper.js — to prove both shortcuts answer exactly as the programs do.
//
// CC_FILE_ORACLE_SEED replays a run (the seed is in every title and failure); CC_FILE_ORACLE_PAIRS
// changes the count (default 500); CC_SKIP_ORACLE=1 skips it on a machine without the AWS CLI.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerGet } from '../src/helper/get.js';
import { makeFilePair, type FilePair } from './support/aws-file-pairs.js';
import { HELPER_BIN, PACKAGE_ROOT } from '../standins/helper-process.js';
import { AWS_CLI_V2, FAKETIME, missing, needs, ORACLE_WANTED } from './support/prerequisites.js';

const AWS_CLI = '/usr/bin/aws';
const HARNESS = join(PACKAGE_ROOT, 'test', 'support', 'aws-cli-in-process.py');
const SEED = numberFrom(process.env.CC_FILE_ORACLE_SEED) ?? (Date.UTC(2026, 11, 2) / 1000) >>> 0;
const PAIRS = numberFrom(process.env.CC_FILE_ORACLE_PAIRS) ?? 500;
const SAMPLE = 16;
const HOST = 'git-codecommit.eu-west-1.amazonaws.com';
const REQUEST = `protocol=https\nhost=${HOST}\npath=v1/repos/oracle\n\n`;
const TITLE = `file oracle (seed ${SEED}, replay with CC_FILE_ORACLE_SEED=${SEED})`;

/**
 * Where cc-helper may answer differently from the AWS CLI, and how each is recognised from the two
 * answers alone. docs/profiles.md lists the same differences with their reasons.
 */
const DELIBERATE_DIFFERENCES = {
  'unusable CLI answer': 'the CLI prints an answer git cannot use (an empty key id, `key%` with an empty token, a line break inside a value, an empty secret); cc-helper refuses with a reason',
  // Not produced by these pairs, listed so the list is the documentation's: [default] only with
  // --allow-default (the oracle passes it for [default]); no fallback to AWS_* keys when a
  // profile is named; no ~/.boto; https and CodeCommit hosts only.
} as const;
type Verdict = 'same answer' | 'both refuse' | keyof typeof DELIBERATE_DIFFERENCES;

interface CliAnswer {
  rc: number;
  stdout: string;
  stderr: string;
  /** What the CLI signed with (rc 0). */
  credentials: { access_key: string; secret_key: string; token: string | null } | null;
}
interface HelperAnswer {
  stdout: string;
  warnings: string[];
  crash?: string;
}

function numberFrom(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`not a seed or count: ${JSON.stringify(text)}`);
  return value;
}

/** The frozen second of pair i: anywhere in 2020-2035, the same in every run of a seed. */
function frozenAt(i: number): Date {
  const from = Date.UTC(2020, 0, 1) / 1000;
  const to = Date.UTC(2036, 0, 1) / 1000;
  return new Date((from + ((Math.imul(SEED ^ 0x5bd1e995, i + 1) >>> 0) % (to - from))) * 1000);
}

function pythonSecond(at: Date): string {
  return at.toISOString().slice(0, 19);
}

function writePair(root: string, i: number, pair: FilePair): string {
  const home = join(root, String(i));
  mkdirSync(home);
  const place = (bytes: Buffer) => Buffer.from(bytes.toString('latin1').replaceAll('@HOME@', home), 'latin1');
  writeFileSync(join(home, 'credentials'), place(pair.credentials), { mode: 0o600 });
  writeFileSync(join(home, 'config'), place(pair.config), { mode: 0o600 });
  writeFileSync(join(home, 'process.json'), pair.processOutput, { mode: 0o600 });
  return home;
}

function cliInterpreter(): string[] {
  return readFileSync(AWS_CLI, 'utf8').split('\n', 1)[0]!.replace(/^#!\s*/, '').split(/\s+/);
}

/** Every pair through the CLI's code in one Python process. */
function askCli(homes: string[], profiles: string[]): Promise<CliAnswer[]> {
  const [python, ...flags] = cliInterpreter();
  return new Promise((resolve, reject) => {
    const child = spawn(python!, [...flags, HARNESS], {
      env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: homes[0] ?? tmpdir(), HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('error', reject);
    child.once('close', (code) => {
      const answers = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as CliAnswer);
      if (answers.length !== homes.length) reject(new Error(`the CLI harness answered ${answers.length} of ${homes.length} (exit ${code}): ${err.slice(-2000)}`));
      else resolve(answers);
    });
    child.stdin.end(homes.map((home, i) => JSON.stringify({ home, profile: profiles[i], at: pythonSecond(frozenAt(i)), input: REQUEST }) + '\n').join(''));
  });
}

function helperEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'), AWS_CONFIG_FILE: join(home, 'config'), AWS_EC2_METADATA_DISABLED: 'true' };
}

/** cc-helper's `get` in this process: the code the bin runs, with the clock frozen. */
async function askHelper(home: string, pair: FilePair, at: Date): Promise<HelperAnswer> {
  const warnings: string[] = [];
  try {
    const stdout = await answerGet({
      input: REQUEST,
      profileFlag: pair.profile,
      allowDefault: pair.profile === 'default',
      env: helperEnv(home),
      now: () => at,
      trace: () => {},
      warn: (line) => warnings.push(line),
    });
    return { stdout, warnings };
  } catch (error) {
    return { stdout: '', warnings, crash: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** An answer git cannot use, judged from what the CLI signed with: empty parts, line breaks, NUL. */
function unusable(credentials: NonNullable<CliAnswer['credentials']>): boolean {
  const parts = [credentials.access_key, credentials.secret_key, ...(credentials.token === null ? [] : [credentials.token])];
  return parts.some((part) => part === '' || /[\r\n\0]/.test(part));
}

function judge(cli: CliAnswer, helper: HelperAnswer): { verdict?: Verdict; problem?: string } {
  if (helper.crash) return { problem: `cc-helper crashed: ${helper.crash}` };
  const cliSigned = cli.rc === 0 && cli.stdout !== '';
  const helperRefused = helper.stdout === 'quit=1\n';
  if (helperRefused && helper.warnings.length !== 1) return { problem: `cc-helper refused with ${helper.warnings.length} stderr lines, not one` };
  if (!cliSigned) {
    if (helperRefused) return { verdict: 'both refuse' };
    return { problem: 'the AWS CLI refuses these files but cc-helper signed' };
  }
  if (cli.credentials === null) return { problem: 'the CLI harness did not report what it signed with (harness problem)' };
  if (unusable(cli.credentials)) {
    if (helperRefused) return { verdict: 'unusable CLI answer' };
    return { problem: 'the AWS CLI signed with an empty value or a line break inside one, and cc-helper did not refuse' };
  }
  if (!/^username=[^\n]*\npassword=[^\n]*\n$/.test(cli.stdout)) return { problem: 'the AWS CLI printed something else than two lines (harness problem)' };
  if (helperRefused) return { problem: 'the AWS CLI signs but cc-helper refused' };
  if (!helper.stdout.startsWith(cli.stdout)) return { problem: 'username or password differ' };
  return { verdict: 'same answer' };
}

function describe(pair: FilePair, home: string, cli: CliAnswer, helper: HelperAnswer, problem: string): string {
  const show = (b: Buffer) => JSON.stringify(b.toString('latin1'));
  return [
    `${pair.name} (profile "${pair.profile}", ${TITLE}): ${problem}`,
    `  features    ${[...pair.features].join(', ') || '(plain)'}`,
    `  credentials ${show(pair.credentials)}`,
    `  config      ${show(pair.config)}`,
    `  aws cli     rc ${cli.rc} stdout ${JSON.stringify(cli.stdout)} stderr ${JSON.stringify(cli.stderr.slice(0, 300))}`,
    `  cc-helper   stdout ${JSON.stringify(helper.stdout)} stderr ${JSON.stringify(helper.warnings)}${helper.crash ? ` crash ${helper.crash}` : ''}`,
    `  files kept  ${home} (with CC_FILE_ORACLE_KEEP=1)`,
  ].join('\n');
}

/** Runs argv with the wall clock frozen at `at` (see test/aws-cli-oracle.test.ts for why -f and the monotonic variable). */
function runFrozen(argv: string[], env: NodeJS.ProcessEnv, at: Date, node: boolean): { status: number | null; stdout: string; stderr: string } {
  const wall = at.toISOString().slice(0, 19).replace('T', ' ');
  const run = spawnSync('faketime', ['-f', wall, ...argv], {
    env: { ...env, TZ: 'UTC', HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', ...(node ? { FAKETIME_DONT_FAKE_MONOTONIC: '1' } : {}) },
    input: REQUEST,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A sample that covers as many features as possible, in a few pairs. */
function varietySample(pairs: FilePair[], size: number): number[] {
  const chosen: number[] = [];
  const covered = new Set<string>();
  while (chosen.length < size) {
    let best = -1;
    let gain = -1;
    pairs.forEach((pair, i) => {
      if (chosen.includes(i)) return;
      const g = [...pair.features].filter((f) => !covered.has(f)).length;
      if (g > gain) [best, gain] = [i, g];
    });
    if (best < 0) break;
    chosen.push(best);
    for (const f of pairs[best]!.features) covered.add(f);
  }
  return chosen;
}

const PREREQUISITES = [ORACLE_WANTED, AWS_CLI_V2, FAKETIME];
const test = needs(...PREREQUISITES);
// Files are written only where the oracle runs.
const ready = missing(PREREQUISITES).length === 0;
{
  const pairs = Array.from({ length: PAIRS }, (_, i) => makeFilePair(SEED, i));
  const root = ready ? mkdtempSync(join(tmpdir(), 'cc-file-oracle-')) : '';
  const homes = ready ? pairs.map((pair, i) => writePair(root, i, pair)) : [];
  test.after.always(() => {
    if (process.env.CC_FILE_ORACLE_KEEP !== '1') rmSync(root, { recursive: true, force: true });
  });
  let cliAnswers: Promise<CliAnswer[]> | undefined;
  const cli = () => (cliAnswers ??= askCli(homes, pairs.map((p) => p.profile)));
  const helperAnswers: HelperAnswer[] = [];

  test.serial(`${TITLE}: ${PAIRS} file pairs read alike by the AWS CLI and cc-helper`, async (t) => {
    t.timeout(300_000);
    const answers = await cli();
    const counts = new Map<string, number>();
    let failures = 0;
    for (let i = 0; i < pairs.length; i++) {
      const helper = await askHelper(homes[i]!, pairs[i]!, frozenAt(i));
      helperAnswers[i] = helper;
      const { verdict, problem } = judge(answers[i]!, helper);
      if (problem) {
        failures++;
        if (failures <= 15) t.fail(describe(pairs[i]!, homes[i]!, answers[i]!, helper, problem));
      } else counts.set(verdict!, (counts.get(verdict!) ?? 0) + 1);
    }
    t.log(`${TITLE}: ${[...counts].map(([v, n]) => `${n} ${v}`).join(', ')}${failures ? `, ${failures} FAILED` : ''}`);
    if (failures === 0) t.pass();
    // The generator must keep producing every outcome, or the oracle proves less than it claims.
    t.true((counts.get('same answer') ?? 0) >= PAIRS / 5, 'too few pairs that both sign');
    t.true((counts.get('both refuse') ?? 0) >= PAIRS / 20, 'too few pairs that both refuse');
  });

  test.serial(`${TITLE}: the generated pairs cover every feature`, (t) => {
    const all = new Set(pairs.flatMap((p) => [...p.features]));
    const wanted = [
      'profile in credentials file', 'profile in config file', 'credential_process', 'role_arn without a source', 'SSO settings', 'web identity',
      'colon delimiter', 'continuation line', 'nested block', 'duplicate key', 'duplicate section', 'unparseable line', 'key before any header',
      '[DEFAULT] section', 'text after ]', 'comment line', 'CRLF line ends', 'CR line ends', 'byte order mark', 'invalid UTF-8',
      'partial: key id only', 'partial: secret only', 'aws_security_token', 'both token keys, different values', 'empty value',
      'two config sections for one profile', 'wrong-file header spelling', 'indented key line', 'upper-case key', 'other profiles',
      'config header "profile \\"P\\""', "config header \"profile 'P'\"", 'config header "profile  P"', 'config header "profile\\tP"', 'config header " profile P"',
      'tricky value " # not a comment"', 'tricky value ";x"',
      'profile name with a space', 'non-ASCII profile name',
    ];
    for (const feature of wanted) t.true(all.has(feature), `no pair has ${feature} (${TITLE})`);
    t.true(pairs.some((p) => p.profile === 'default'), 'no pair asks for [default]');
  });

  test.serial(`${TITLE}: a sample through the real /usr/bin/aws and bin/cc-helper.js answers as the shortcuts do`, async (t) => {
    t.timeout(600_000);
    const answers = await cli();
    const sample = varietySample(pairs, Math.min(SAMPLE, pairs.length));
    for (const i of sample) {
      const pair = pairs[i]!;
      const env = helperEnv(homes[i]!);
      const at = frozenAt(i);
      const real = runFrozen([AWS_CLI, '--profile', pair.profile, 'codecommit', 'credential-helper', 'get'], env, at, false);
      const harness = answers[i]!;
      const realSigned = real.status === 0 && real.stdout !== '';
      const harnessSigned = harness.rc === 0 && harness.stdout !== '';
      t.is(realSigned, harnessSigned, `${pair.name}: /usr/bin/aws ${realSigned ? 'signs' : `refuses (${real.stderr.trim().slice(0, 200)})`}, the in-process CLI ${harnessSigned ? 'signs' : `refuses (${harness.stderr.slice(0, 200)})`} (${TITLE})`);
      if (realSigned && harnessSigned) t.is(real.stdout, harness.stdout, `${pair.name}: /usr/bin/aws and the in-process CLI print different answers (${TITLE})`);
      const bin = runFrozen([process.execPath, HELPER_BIN, ...(pair.profile === 'default' ? ['--allow-default'] : []), '--profile', pair.profile, 'get'], env, at, true);
      const inProcess = helperAnswers[i] ?? (await askHelper(homes[i]!, pair, at));
      t.is(bin.stdout, inProcess.stdout, `${pair.name}: bin/cc-helper.js and answerGet print different answers (${TITLE})`);
      if (inProcess.warnings.length > 0) t.is(bin.stderr.trim(), inProcess.warnings.map((w) => `cc-helper: ${w}`).join('\n'), `${pair.name}: different stderr (${TITLE})`);
    }
    t.log(`${sample.length} pairs through /usr/bin/aws and bin/cc-helper.js under faketime: ${sample.join(', ')}`);
  });
}
