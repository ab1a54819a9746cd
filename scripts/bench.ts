// `npm run bench`: times the helper as git runs it (a fresh process per request, the request on
// stdin, stdout read to the end) against two baselines measured in the same run: `node -e 0`,
// the floor for any Node program, and the AWS CLI's own helper when /usr/bin/aws is installed.
//
// Everything happens in a temporary HOME with its own AWS files; the real ~/.aws is never read.
// Role profiles get their STS answer from a loopback stand-in (AWS_ENDPOINT_URL_STS).
//
//   node dist/scripts/bench.js [--quick] [--runs N] [--aws-runs N] [--no-aws] [--out FILE]
//
// Besides the helper's cases it times three probes that bound what any Node helper can reach:
// an empty CommonJS file, a SigV4 signature with node:crypto alone, and one with the libraries
// cc-helper signs with (@smithy/signature-v4 + @aws-crypto/sha256-js) bundled plainly by esbuild.
//
// Wall time: measured here, from spawn() to the child's exit with its pipes closed.
// Peak memory: the child's maximum resident set size as reported by GNU time (`/usr/bin/time -f
// %M`, i.e. getrusage ru_maxrss of the exited child), from separate runs so the wrapper's own
// exec never lands in the wall times. Without /usr/bin/time the memory column reads n/a.
// Environment: built from scratch for every case (PATH, HOME, LANG, the AWS file variables), so
// NODE_OPTIONS or NODE_EXTRA_CA_CERTS from a developer's shell, which add their own cost to every
// Node process (a CA bundle costs about 30 ms), stay out of the numbers.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HELPER_BIN = join(PACKAGE_ROOT, 'bin', 'cc-helper.js');
const AWS_CLI = '/usr/bin/aws';
const GNU_TIME = '/usr/bin/time';

const HOST = 'git-codecommit.eu-west-1.amazonaws.com';
const REQUEST = `protocol=https\nhost=${HOST}\npath=v1/repos/bench\n\n`;
const KEY = { id: 'AKIAIOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const CANARY = { id: 'AKIACANARYCANARY0000', secret: 'canary/canary/canary/canary/canary/cana' };
const SESSION = { id: 'ASIASESSIONBENCH0001', secret: 'sessionsecret/sessionsecret/sessionsecr', token: 'FwoGZXIvYXdzEBENCH'.padEnd(400, 'x') };

interface Options {
  quick: boolean;
  runs: number;
  awsRuns: number;
  memoryRuns: number;
  aws: boolean;
  out: string;
}

interface Case {
  name: string;
  label: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  input: string;
  /** What a correct run prints on stdout; checked on the warm-up run. */
  expect: (stdout: string) => boolean;
  /** Not cc-helper: the floor, a probe, or the AWS CLI (named `aws:<the cc-helper case>`). */
  baseline?: 'node' | 'aws' | 'probe';
}

interface Sample {
  ms: number[];
  rssKb: number[];
}

interface CaseResult {
  name: string;
  label: string;
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
}

const USAGE = `usage: node dist/scripts/bench.js [--quick] [--runs N] [--aws-runs N] [--no-aws] [--out FILE]
  --quick       3 runs a case, 1 for the AWS CLI: proves the bench works (CI), numbers mean nothing
  --runs N      runs per case (default 40)
  --aws-runs N  runs per AWS CLI case (default 12; each costs about half a second)
  --no-aws      skip the AWS CLI even when ${AWS_CLI} exists
  --out FILE    where the JSON result goes (default .bench/result.json)
`;

function parseOptions(argv: string[]): Options {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const quick = argv.includes('--quick');
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(value('--runs') ?? (quick ? 3 : 40));
  const awsRuns = Number(value('--aws-runs') ?? (quick ? 1 : 12));
  if (!(runs >= 1) || !(awsRuns >= 1)) throw new Error('--runs and --aws-runs take a positive number');
  return {
    quick,
    runs,
    awsRuns,
    memoryRuns: quick ? 1 : 5,
    aws: !argv.includes('--no-aws') && existsSync(AWS_CLI),
    out: resolve(value('--out') ?? join(PACKAGE_ROOT, '.bench', quick ? 'result-quick.json' : 'result.json')),
  };
}

// --- the temporary world ------------------------------------------------------------------------

function staticSection(name: string, key: { id: string; secret: string }): string {
  return `[${name}]\naws_access_key_id = ${key.id}\naws_secret_access_key = ${key.secret}\n`;
}

/** Exactly `count` profiles; the wanted one is second to last, so a reader must scan nearly all. */
function manyProfiles(count: number, wanted: string): string {
  const parts: string[] = [];
  for (let i = 1; i <= count; i++) {
    if (i === Math.max(count - 1, 1)) parts.push(staticSection(wanted, KEY));
    else parts.push(staticSection(`filler-${String(i).padStart(5, '0')}`, { id: `AKIAFILLER${String(i).padStart(10, '0')}`, secret: KEY.secret }));
  }
  return parts.join('\n');
}

function makeHome(root: string, name: string, files: { credentials: string; config?: string }): NodeJS.ProcessEnv {
  const home = join(root, name);
  mkdirSync(join(home, '.aws'), { recursive: true });
  const credentialsFile = join(home, '.aws', 'credentials');
  const configFile = join(home, '.aws', 'config');
  writeFileSync(credentialsFile, files.credentials, { mode: 0o600 });
  writeFileSync(configFile, files.config ?? '', { mode: 0o600 });
  // Built from scratch: nothing from the developer's environment (AWS_PROFILE, proxies) leaks in.
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C',
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_CONFIG_FILE: configFile,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    GIT_TERMINAL_PROMPT: '0',
  };
}

/** A loopback STS that answers every AssumeRole with fixed temporary credentials. */
async function startStsStandIn(): Promise<{ url: string; server: Server; calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      calls++;
      if (!body.includes('Action=AssumeRole')) {
        res.writeHead(400, { 'content-type': 'text/xml' }).end('<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>');
        return;
      }
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      res.writeHead(200, { 'content-type': 'text/xml' }).end(
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>' +
          '<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/bench/bench</Arn><AssumedRoleId>AROABENCH:bench</AssumedRoleId></AssumedRoleUser>' +
          `<Credentials><AccessKeyId>ASIAROLEBENCH0000001</AccessKeyId><SecretAccessKey>${SESSION.secret}</SecretAccessKey>` +
          `<SessionToken>${SESSION.token}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
          '</AssumeRoleResult><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></AssumeRoleResponse>',
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, calls: () => calls };
}

/**
 * The probes: what a Node program doing this job costs at the least. The @smithy one is bundled
 * with esbuild (a devDependency) through the packages' ES module entries, as cc-helper's bundle is,
 * but without cc-helper's load-time tricks (lazy node:crypto, V8 code cache).
 */
async function buildProbes(root: string, env: NodeJS.ProcessEnv): Promise<Case[]> {
  const dir = join(root, 'probes');
  mkdirSync(dir);
  const stringToSign = `AWS4-HMAC-SHA256\\n20250101T000000Z\\n20250101/eu-west-1/codecommit/aws4_request\\n`;
  writeFileSync(join(dir, 'empty.cjs'), '0;\n');
  writeFileSync(
    join(dir, 'crypto-sign.cjs'),
    [
      "const { createHash, createHmac } = require('node:crypto');",
      "const hmac = (key, data) => createHmac('sha256', key).update(data).digest();",
      `let key = hmac('AWS4${KEY.secret}', '20250101');`,
      "for (const part of ['eu-west-1', 'codecommit', 'aws4_request']) key = hmac(key, part);",
      "const hash = createHash('sha256').update('GIT\\n/v1/repos/bench\\n\\nhost:h\\n\\nhost\\n').digest('hex');",
      `require('node:fs').writeSync(1, hmac(key, '${stringToSign}' + hash).toString('hex') + '\\n');`,
    ].join('\n') + '\n',
  );
  const cases: Case[] = [
    { name: 'probe:empty', label: 'probe: an empty CommonJS file', command: process.execPath, args: [join(dir, 'empty.cjs')], env, input: '', expect: () => true, baseline: 'probe' },
    {
      name: 'probe:crypto',
      label: 'probe: SigV4 with node:crypto alone',
      command: process.execPath,
      args: [join(dir, 'crypto-sign.cjs')],
      env,
      input: '',
      expect: (out) => /^[0-9a-f]{64}\n$/.test(out),
      baseline: 'probe',
    },
  ];
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write('bench: esbuild is not installed; skipping the @smithy probe\n');
    return cases;
  }
  await esbuild.build({
    stdin: {
      contents: [
        "import { Sha256 } from '@aws-crypto/sha256-js';",
        "import { SignatureV4 } from '@smithy/signature-v4';",
        "import { writeSync } from 'node:fs';",
        `const signer = new SignatureV4({ credentials: { accessKeyId: '${KEY.id}', secretAccessKey: '${KEY.secret}' }, region: 'eu-west-1', service: 'codecommit', sha256: Sha256 });`,
        '(async () => {',
        "  const hash = new Sha256(); hash.update('GIT\\n/v1/repos/bench\\n\\nhost:h\\n\\nhost\\n');",
        "  const hex = Buffer.from(await hash.digest()).toString('hex');",
        `  writeSync(1, (await signer.sign('${stringToSign}' + hex, { signingDate: new Date() })) + '\\n');`,
        '})();',
      ].join('\n'),
      resolveDir: PACKAGE_ROOT,
      loader: 'js',
    },
    outfile: join(dir, 'smithy-sign.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    logLevel: 'error',
  });
  cases.push({
    name: 'probe:smithy',
    label: 'probe: SigV4 with @smithy/signature-v4 + sha256-js, plain bundle',
    command: process.execPath,
    args: [join(dir, 'smithy-sign.cjs')],
    env,
    input: '',
    expect: (out) => /^[0-9a-f]{64}\n$/.test(out),
    baseline: 'probe',
  });
  return cases;
}

function buildCases(root: string, stsUrl: string, options: Options): Case[] {
  const answered = (stdout: string) => /^username=.+\npassword=\d{8}T\d{6}Z[0-9a-f]{64}\npassword_expiry_utc=\d+\n$/.test(stdout);
  const helper = (name: string, label: string, env: NodeJS.ProcessEnv, action = 'get'): Case => ({
    name,
    label,
    command: process.execPath,
    args: [HELPER_BIN, '--profile', 'bench', action],
    env,
    input: REQUEST,
    expect: action === 'get' ? answered : (out) => out === '',
  });
  const aws = (forCase: string, env: NodeJS.ProcessEnv): Case => ({
    name: `aws:${forCase}`,
    label: `AWS CLI helper, same profile and URL as "${forCase}"`,
    command: AWS_CLI,
    args: ['--profile', 'bench', 'codecommit', 'credential-helper', 'get'],
    env,
    input: REQUEST,
    expect: (out) => /^username=.+\npassword=\d{8}T\d{6}Z[0-9a-f]{64}\n$/.test(out),
    baseline: 'aws',
  });

  const config = '[profile bench]\nregion = eu-west-1\n';
  const staticEnv = makeHome(root, 'static', { credentials: staticSection('default', CANARY) + '\n' + staticSection('bench', KEY), config });
  const sessionEnv = makeHome(root, 'session', {
    credentials:
      staticSection('default', CANARY) +
      `\n[bench]\naws_access_key_id = ${SESSION.id}\naws_secret_access_key = ${SESSION.secret}\naws_session_token = ${SESSION.token}\n` +
      `x_security_token_expires = 2099-01-01T00:00:00Z\n`,
    config,
  });
  // What a vault-started session leaves in the credentials file. For `get` it is a session-token
  // profile like any other: the fast path reads it exactly so, without loading the vault.
  const vaultEnv = makeHome(root, 'vault-session', {
    credentials:
      staticSection('default', CANARY) +
      `\n[bench]\naws_access_key_id = ${SESSION.id}\naws_secret_access_key = ${SESSION.secret}\naws_session_token = ${SESSION.token}\n` +
      `x_security_token_expires = ${new Date(Date.now() + 12 * 3600_000).toISOString().replace(/\.\d{3}/, '')}\nx_cc_helper_session = bench\n`,
    config,
  });
  const roleEnv = {
    ...makeHome(root, 'role', {
      credentials: staticSection('default', CANARY) + '\n' + staticSection('bench-source', KEY),
      config: '[profile bench]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/bench\nsource_profile = bench-source\nrole_session_name = bench\n',
    }),
    AWS_ENDPOINT_URL_STS: stsUrl,
    AWS_REGION: 'eu-west-1',
  };
  const files = [1, 100, 5000].map((n) => ({ n, env: makeHome(root, `profiles-${n}`, { credentials: manyProfiles(n, 'bench'), config }) }));

  const cases: Case[] = [
    { name: 'node -e 0', label: 'node -e 0 (the floor)', command: process.execPath, args: ['-e', '0'], env: staticEnv, input: '', expect: () => true, baseline: 'node' },
    helper('static', 'get, static keys', staticEnv),
    helper('session', 'get, session-token profile', sessionEnv),
    helper('vault-session', 'get, vault-managed active session (= session-token profile)', vaultEnv),
    helper('store', 'store (read and ignored)', staticEnv, 'store'),
    ...files.map(({ n, env }) => helper(`profiles-${n}`, `get, credentials file with ${n} profile${n === 1 ? '' : 's'}`, env)),
    helper('role', 'get, role profile through the SDK + loopback STS', roleEnv),
  ];
  if (options.aws) {
    cases.push(aws('static', staticEnv), aws('session', sessionEnv), aws('profiles-5000', files[2]!.env));
  }
  return cases;
}

// --- running ------------------------------------------------------------------------------------

interface RunOutcome {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function runOnce(c: Case, wrapper?: { rssFile: string }): Promise<RunOutcome> {
  const [command, args] = wrapper
    ? [GNU_TIME, ['-f', '%M', '-o', wrapper.rssFile, c.command, ...c.args]]
    : [c.command, c.args];
  return new Promise((ok, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: c.env, stdio: ['pipe', 'pipe', 'pipe'] });
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

async function check(c: Case): Promise<void> {
  const outcome = await runOnce(c);
  if (outcome.code !== 0 || !c.expect(outcome.stdout) || (c.baseline !== 'aws' && outcome.stderr !== '')) {
    throw new Error(
      `case "${c.name}" did not answer as expected (exit ${outcome.code}):\nstdout: ${outcome.stdout.slice(0, 300)}\nstderr: ${outcome.stderr.slice(0, 600)}`,
    );
  }
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 1) return sorted[0]!;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

async function measure(cases: Case[], options: Options, root: string): Promise<Map<string, Sample>> {
  const samples = new Map<string, Sample>(cases.map((c) => [c.name, { ms: [], rssKb: [] }]));
  for (const c of cases) {
    await check(c); // also warms the page cache
    await runOnce(c);
  }
  // Rounds in a fresh random order each time, so drift (thermal, other load) spreads evenly.
  const rounds = Math.max(options.runs, options.awsRuns);
  for (let round = 0; round < rounds; round++) {
    for (const c of shuffle(cases)) {
      const want = c.baseline === 'aws' ? options.awsRuns : options.runs;
      const sample = samples.get(c.name)!;
      if (sample.ms.length >= want) continue;
      sample.ms.push((await runOnce(c)).ms);
    }
    if (process.stderr.isTTY) process.stderr.write(`\rround ${round + 1}/${rounds}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (existsSync(GNU_TIME)) {
    const rssFile = join(root, 'rss.txt');
    for (const c of cases) {
      const runs = c.baseline === 'aws' ? 1 : options.memoryRuns;
      for (let i = 0; i < runs; i++) {
        await runOnce(c, { rssFile });
        const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
        if (Number.isFinite(kb)) samples.get(c.name)!.rssKb.push(kb);
      }
    }
  }
  return samples;
}

function summarise(cases: Case[], samples: Map<string, Sample>): CaseResult[] {
  const median = (name: string): number | null => {
    const s = samples.get(name);
    return s && s.ms.length ? quantile([...s.ms].sort((a, b) => a - b), 0.5) : null;
  };
  const nodeMedian = median('node -e 0');
  return cases.map((c) => {
    const sorted = [...samples.get(c.name)!.ms].sort((a, b) => a - b);
    const rss = samples.get(c.name)!.rssKb;
    const med = quantile(sorted, 0.5);
    const awsMedian = c.baseline ? null : median(`aws:${c.name}`);
    return {
      name: c.name,
      label: c.label,
      runs: sorted.length,
      medianMs: round1(med),
      p10Ms: round1(quantile(sorted, 0.1)),
      p90Ms: round1(quantile(sorted, 0.9)),
      minMs: round1(sorted[0]!),
      maxMs: round1(sorted.at(-1)!),
      peakRssMB: rss.length ? round1(Math.max(...rss) / 1024) : null,
      ratioToNode: nodeMedian ? round2(med / nodeMedian) : null,
      awsMedianMs: awsMedian === null ? null : round1(awsMedian),
      awsFasterBy: awsMedian === null ? null : round1(awsMedian / med),
    };
  });
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

function table(results: CaseResult[]): string {
  const rows = [['case', 'median ms', 'p10–p90 ms', 'peak RSS MB', 'x node -e 0', 'AWS CLI / this']];
  for (const r of results) {
    rows.push([
      r.label,
      r.medianMs.toFixed(1),
      `${r.p10Ms.toFixed(1)}–${r.p90Ms.toFixed(1)}`,
      r.peakRssMB === null ? 'n/a' : r.peakRssMB.toFixed(1),
      r.ratioToNode === null ? '' : r.ratioToNode.toFixed(2),
      r.awsFasterBy === null ? '' : `${r.awsFasterBy.toFixed(1)}x`,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row, n) => {
      const line = row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
      return n === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

function targets(results: CaseResult[]): Record<string, { value: number | null; goal: string; met: boolean | null }> {
  const by = (name: string) => results.find((r) => r.name === name);
  const staticCase = by('static')!;
  const one = by('profiles-1')!;
  const many = by('profiles-5000')!;
  const fastPath = results.filter((r) => !r.name.includes(':') && r.name !== 'node -e 0' && r.name !== 'role');
  const peak = fastPath.every((r) => r.peakRssMB !== null) ? Math.max(...fastPath.map((r) => r.peakRssMB!)) : null;
  const ratio5000 = round2(many.medianMs / one.medianMs);
  return {
    'static get / node -e 0': { value: staticCase.ratioToNode, goal: '<= 1.2', met: staticCase.ratioToNode === null ? null : staticCase.ratioToNode <= 1.2 },
    'AWS CLI / static get': { value: staticCase.awsFasterBy, goal: '>= 7', met: staticCase.awsFasterBy === null ? null : staticCase.awsFasterBy >= 7 },
    '5000 profiles / 1 profile': { value: ratio5000, goal: '<= 1.3', met: ratio5000 <= 1.3 },
    'peak RSS MB (all but the SDK role case)': { value: peak, goal: '< 60', met: peak === null ? null : peak < 60 },
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(HELPER_BIN)) throw new Error(`${HELPER_BIN} is missing: run \`npm run build\` first`);
  const root = mkdtempSync(join(tmpdir(), 'cc-helper-bench-'));
  const sts = await startStsStandIn();
  try {
    const cases = buildCases(root, sts.url, options);
    cases.splice(1, 0, ...(await buildProbes(root, cases[0]!.env)));
    const samples = await measure(cases, options, root);
    if (sts.calls() === 0) throw new Error('the role case never reached the STS stand-in');
    const results = summarise(cases, samples);
    const goals = targets(results);
    const memoryMethod = existsSync(GNU_TIME) ? 'max ru_maxrss over separate runs under /usr/bin/time -f %M' : 'not measured (/usr/bin/time missing)';
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
      quick: options.quick,
      runs: options.runs,
      awsRuns: options.aws ? options.awsRuns : 0,
      awsCli: options.aws ? AWS_CLI : null,
      wallTime: 'spawn() to exit with pipes closed, request on stdin as git sends it',
      memory: memoryMethod,
      cases: results,
      targets: goals,
    };
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, JSON.stringify(report, null, 2) + '\n');

    console.log(`cc-helper bench: ${report.node}, ${report.cpu}; ${options.runs} runs a case` +
      `${options.aws ? `, ${options.awsRuns} for the AWS CLI` : ', AWS CLI not measured'}${options.quick ? ' (quick: numbers mean nothing)' : ''}`);
    console.log(table(results));
    console.log(`peak RSS: ${memoryMethod}`);
    // Quick mode's 3 runs on a shared CI machine say nothing about speed: its targets are
    // information, worded so that a passing run does not read as a failure.
    console.log(options.quick ? '\ntargets (information only in quick mode: 3 runs decide nothing; `npm run bench` measures):' : '\ntargets:');
    for (const [name, t] of Object.entries(goals)) {
      const verdict = t.met === null ? 'not measured' : options.quick ? (t.met ? 'within the goal this time' : 'outside the goal this time') : t.met ? 'met' : 'NOT met';
      console.log(`  ${name}: ${t.value ?? 'n/a'} (goal ${t.goal}) ${verdict}`);
    }
    console.log(`\nwrote ${options.out}`);
  } finally {
    sts.server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
