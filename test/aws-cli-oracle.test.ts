// The oracle test: the real AWS CLI (`aws codecommit credential-helper get`) and cc-helper answer
// the same request, with the same credentials file, at the same frozen second, and must print
// byte-identical `username=` and `password=` lines. Cases come from a seeded PRNG (the seed is in
// every test title; override it with CC_ORACLE_SEED), plus the fixture vectors as seeds, plus
// hosts the CLI's substring check would sign for but cc-helper must not.
//
// How the clock is frozen (found by running it: faketime 0.9.10, Node 20, the CLI's Python 3.11):
// - `faketime '2028-02-29 23:59:59' cmd` does NOT freeze: the wrapper turns an absolute date into
//   an offset from now (FAKETIME=+39673834) and the clock keeps running, so the two programs
//   could see different seconds.
// - `faketime -f '2028-02-29 23:59:59' cmd` hands the absolute date to libfaketime, which stops
//   the clock: both programs see exactly the same second, so no retry on a differing second is
//   needed (every answer's timestamp is still checked against the frozen second).
// - But that stops CLOCK_MONOTONIC too, and Node's event loop (libuv timers) runs on it: a
//   `setTimeout` never fires and Node hangs. So Node also gets FAKETIME_DONT_FAKE_MONOTONIC=1
//   (what `faketime --exclude-monotonic` sets): frozen wall clock, real monotonic clock.
// - The CLI must NOT get that variable: with it, Python's time.sleep() (clock_nanosleep on an
//   absolute monotonic deadline) fails with EINVAL. The wall clock, all that signing reads, is
//   the same frozen second in both modes.
// - libfaketime reads the date in the process's local time zone, so TZ is always set (UTC, or a
//   fixed-offset POSIX zone in the time-zone cases, which need no tzdata).
// - The wrapper names a semaphore after its own pid and gives up ("sem_open: File exists") when
//   a killed faketime of the same pid left one in /dev/shm; such a run is retried (new pid).
// No network: when `unshare -rn` works (root, or unprivileged user namespaces) every run is in
// an empty network namespace; in any case the proxy variables point at a closed loopback port and
// AWS_EC2_METADATA_DISABLED=true. The CLI needs no network for this command.
import type { ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runUnderFaketime, type FaketimeRun } from '../standins/simulated-clock.js';
import { HELPER_BIN, PACKAGE_ROOT } from '../standins/helper-process.js';
import { readGoldenVectors } from './support/golden-vectors.js';
import { AWS_CLI_V2, FAKETIME, findOnPath, needs, ORACLE_WANTED } from './support/prerequisites.js';
import { SeededRandom } from './support/prng.js';

const AWS_CLI = '/usr/bin/aws'; // not `which aws`: a pyenv shim may come first
const PROFILE = 'oracle';
const PASSWORD_LIFETIME = 900;
const RUN_TIMEOUT_MS = 30_000;
// Each CLI run is ~0.4 s of CPU (Python importing botocore) and barely waits on I/O: one case per
// core, 2 to 4 (measured on 2 cores: 2 at a time beat 3 and 4). CC_ORACLE_CONCURRENCY overrides.
const CONCURRENCY = clampInt(process.env.CC_ORACLE_CONCURRENCY, Math.min(4, Math.max(2, availableParallelism())), 1, 8);
const SEED = parseSeed(process.env.CC_ORACLE_SEED) ?? 0x0c0de5ea;
const SEED_TEXT = `seed ${SEED}`;

// ---------------------------------------------------------------------------------------------
// Cases

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A fixed-offset time zone: POSIX TZ string (sign inverted, as POSIX has it) and minutes east of UTC. */
interface Zone {
  tz: string;
  offsetMinutes: number;
}
const UTC: Zone = { tz: 'UTC', offsetMinutes: 0 };

interface OracleCase {
  name: string;
  /** The frozen instant. */
  at: Date;
  zone: Zone;
  protocol: string;
  host: string;
  path: string;
  credentials: Credentials;
  /** The credentials file; defaults to the `aws configure` layout of `credentials`. */
  credentialsFile?: string;
  /** The profile asked for and written (default: PROFILE). */
  profile?: string;
  /** With the default layout: a [default] with other keys before [oracle]. */
  canary?: boolean;
  /** From the fixture file: what the CLI printed when the vector was made (null: nothing). */
  recorded?: { username: string; password: string } | null;
}

const REAL_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-northeast-1',
  'ap-northeast-2', 'ap-northeast-3', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-west-1',
  'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1', 'me-central-1',
  'sa-east-1',
];
/** Regions that do not exist (yet): no region list may be baked in. */
const FUTURE_REGIONS = ['ap-southeast-7', 'mx-central-1', 'eusc-de-east-1', 'ap-east-2', 'eu-west-4', 'sa-west-1', 'af-north-1', 'ap-southeast-12', 'us-west-3'];
const GOV_REGIONS = ['us-gov-west-1', 'us-gov-east-1'];
const CHINA_REGIONS = ['cn-north-1', 'cn-northwest-1'];
const REGIONS = [...REAL_REGIONS, ...FUTURE_REGIONS];
const OTHER_PORTS = [':8443', ':4443', ':1', ':65535', ':9418'];
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const REPO_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-';
const TRICKY_REPOS = ['.', '..', '...', '-', '_', 'a', '.hidden', 'trailing.', 'repo.git', 'a..b', '--x--', '__init__', 'MiXeD_Case-123.v2', '0', 'x'.repeat(100)];
const EPOCH_2020 = Date.UTC(2020, 0, 1) / 1000;
const EPOCH_2036 = Date.UTC(2036, 0, 1) / 1000;

/** Day, month and year boundaries, leap days (2028-02-29 above all) and the range's ends. */
const BOUNDARY_TIMES = [
  '2020-01-01 00:00:00', '2020-02-29 23:59:59', '2020-03-01 00:00:00', '2024-02-29 00:00:00',
  '2024-12-31 23:59:59', '2025-01-01 00:00:00', '2026-12-31 23:59:59', '2027-01-01 00:00:00',
  '2027-01-31 23:59:59', '2027-02-01 00:00:00', '2027-02-28 23:59:59', '2027-03-01 00:00:00',
  '2028-02-28 23:59:59', '2028-02-29 00:00:00', '2028-02-29 12:34:56', '2028-02-29 23:59:59',
  '2028-03-01 00:00:00', '2029-04-30 23:59:59', '2030-06-30 23:59:59', '2030-07-01 00:00:00',
  '2031-09-30 23:59:59', '2031-12-31 23:59:59', '2032-01-01 00:00:00', '2032-02-29 23:59:59',
  '2033-11-30 23:59:59', '2034-12-31 23:59:59', '2035-01-01 00:00:00', '2035-12-31 23:59:59',
];

/** UTC instants near day/year ends, seen from zones where the local date differs from UTC's. */
const ZONE_CASES: Array<[string, Zone]> = [
  ['2027-12-31 23:59:59', { tz: '<+14>-14', offsetMinutes: 14 * 60 }],
  ['2028-01-01 00:00:00', { tz: '<-12>+12', offsetMinutes: -12 * 60 }],
  ['2028-02-29 23:59:59', { tz: '<+0530>-05:30', offsetMinutes: 330 }],
  ['2028-03-01 00:00:00', { tz: '<-0930>+09:30', offsetMinutes: -570 }],
  ['2030-06-30 20:00:00', { tz: '<+1345>-13:45', offsetMinutes: 825 }],
  ['2031-01-01 02:00:00', { tz: '<-0330>+03:30', offsetMinutes: -210 }],
  ['2034-12-31 23:00:00', { tz: '<+01>-01', offsetMinutes: 60 }],
  ['2035-12-31 23:59:59', { tz: '<+09>-09', offsetMinutes: 540 }],
];

class CaseMaker extends SeededRandom {
  private serial = 0;
  /** Puts `ch` at a random position (first and last included). */
  insert(text: string, ch: string): string {
    const at = this.int(0, text.length);
    return text.slice(0, at) + ch + text.slice(at);
  }

  time(): Date {
    return new Date(this.int(EPOCH_2020, EPOCH_2036 - 1) * 1000);
  }
  port(): string {
    const r = this.random();
    return r < 0.55 ? '' : r < 0.85 ? ':443' : this.pick(OTHER_PORTS);
  }
  repoPath(): string {
    const name = this.chance(0.15) ? this.pick(TRICKY_REPOS) : this.string(REPO_ALPHABET, this.chance(0.8) ? this.int(1, 24) : this.int(25, 100));
    return `v1/repos/${name}`;
  }
  credentials(): Credentials {
    const withToken = this.chance(0.55);
    const accessKeyId = (withToken ? 'ASIA' : 'AKIA') + this.string(KEY_ALPHABET, 16);
    let secretAccessKey = this.string(B64, 40);
    // Real secrets hold '/' and '+'; '=' too here, anywhere, including first and last.
    if (this.chance(0.5)) secretAccessKey = this.insert(secretAccessKey, '/');
    if (this.chance(0.5)) secretAccessKey = this.insert(secretAccessKey, '+');
    if (this.chance(0.4)) secretAccessKey = this.insert(secretAccessKey, '=');
    if (this.chance(0.1)) secretAccessKey = '/' + secretAccessKey;
    if (!withToken) return { accessKeyId, secretAccessKey };
    // STS tokens are long base64 (often 300-1200 characters) with '=' padding.
    let sessionToken = this.string(B64, this.chance(0.3) ? this.int(8, 64) : this.int(300, 1200));
    if (this.chance(0.5)) sessionToken = this.insert(sessionToken, '/');
    if (this.chance(0.5)) sessionToken = this.insert(sessionToken, '+');
    if (this.chance(0.3)) sessionToken = this.insert(sessionToken, '=');
    sessionToken += this.pick(['', '', '=', '==']);
    return { accessKeyId, secretAccessKey, sessionToken };
  }
  vpceId(region: string): string {
    let id = `vpce-0${this.string('0123456789abcdef', 16)}`;
    if (this.chance(0.8)) id += `-${this.string('abcdefghijklmnopqrstuvwxyz0123456789', 8)}`;
    if (this.chance(0.2)) id += `-${region}${this.pick(['a', 'b', 'c'])}`; // zonal DNS name
    return id;
  }
  host(kind: 'standard' | 'fips' | 'vpce' | 'vpce-fips', region: string): string {
    const cn = region.startsWith('cn-') ? '.cn' : '';
    switch (kind) {
      case 'standard':
        return `git-codecommit.${region}.amazonaws.com${cn}`;
      case 'fips':
        return `git-codecommit-fips.${region}.amazonaws.com${cn}`;
      case 'vpce':
        return `${this.vpceId(region)}.git-codecommit.${region}.vpce.amazonaws.com${cn}`;
      case 'vpce-fips':
        return `${this.vpceId(region)}.git-codecommit-fips.${region}.vpce.amazonaws.com${cn}`;
    }
  }
  make(group: string, host: string, overrides: Partial<OracleCase> = {}): OracleCase {
    const c: OracleCase = {
      name: `${group} #${++this.serial}`,
      at: this.time(),
      zone: UTC,
      protocol: 'https',
      host: host + this.port(),
      path: this.repoPath(),
      credentials: this.credentials(),
      ...overrides,
    };
    // A [default] with other keys next to [oracle] in some files: only [oracle] may sign.
    if (this.chance(0.3)) c.canary = true;
    return c;
  }
}

function utc(text: string): Date {
  return new Date(text.replace(' ', 'T') + 'Z');
}

function credentialsFileText(credentials: Credentials, options: { canary?: boolean; profile?: string } = {}): string {
  let text = '';
  if (options.canary) text += '[default]\naws_access_key_id = AKIACANARYCANARY0000\naws_secret_access_key = canary/canary+canary=canarycanarycanary00\n\n';
  text += `[${options.profile ?? PROFILE}]\naws_access_key_id = ${credentials.accessKeyId}\naws_secret_access_key = ${credentials.secretAccessKey}\n`;
  if (credentials.sessionToken !== undefined) text += `aws_session_token = ${credentials.sessionToken}\n`;
  return text;
}

function fixtureCases(): OracleCase[] {
  return readGoldenVectors().map((v) => ({
      name: `fixture ${v.name}`,
      at: new Date(v.time),
      zone: UTC,
      protocol: v.input.protocol,
      host: v.input.host,
      path: v.input.path,
      credentials: v.credentials,
      recorded: v.expected,
    }));
}

interface Group {
  title: string;
  cases: OracleCase[];
}

function buildGroups(seed: number): Group[] {
  const m = new CaseMaker(seed);
  const n = <T>(count: number, f: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => f(i));
  // Every region at least once (the made-up ones first), then random ones.
  const regionAt = (i: number, pool: readonly string[]) => (i < pool.length ? pool[i]! : m.pick(pool));
  const regionsFutureFirst = [...FUTURE_REGIONS, ...REAL_REGIONS];
  const anyKind = (): OracleCase => {
    const r = m.unit();
    const region = r < 0.15 ? m.pick(GOV_REGIONS) : r < 0.3 ? m.pick(CHINA_REGIONS) : m.pick(REGIONS);
    const kinds = ['standard', 'fips', 'vpce', 'vpce-fips'] as const;
    const kind = region.startsWith('cn-') ? m.pick(['standard', 'vpce'] as const) : m.pick(kinds);
    return m.make('boundary', m.host(kind, region));
  };
  return [
    { title: 'fixture vectors (made by the AWS CLI)', cases: fixtureCases() },
    { title: 'git-codecommit.<region>.amazonaws.com', cases: n(52, (i) => m.make('standard', m.host('standard', regionAt(i, regionsFutureFirst)))) },
    { title: 'git-codecommit-fips.<region>.amazonaws.com', cases: n(28, (i) => m.make('fips', m.host('fips', regionAt(i, regionsFutureFirst)))) },
    {
      title: 'GovCloud (us-gov-west-1, us-gov-east-1)',
      cases: n(18, (i) => m.make('govcloud', m.host(i % 3 === 2 ? 'fips' : 'standard', GOV_REGIONS[i % 2]!))),
    },
    {
      title: 'China git-codecommit.<region>.amazonaws.com.cn',
      cases: n(18, (i) => m.make('china', m.host(i % 4 === 3 ? 'vpce' : 'standard', CHINA_REGIONS[i % 2]!))),
    },
    {
      title: 'VPC endpoints vpce-<id>.git-codecommit[-fips].<region>.vpce.amazonaws.com',
      cases: n(40, (i) => m.make('vpce', m.host(i % 3 === 0 ? 'vpce-fips' : 'vpce', regionAt(i, [...regionsFutureFirst, ...GOV_REGIONS])))),
    },
    {
      title: 'day, month and year boundaries (Feb 29 2028, Dec 31 23:59:59, Jan 1 00:00:00)',
      cases: BOUNDARY_TIMES.map((time) => ({ ...anyKind(), at: utc(time), name: `boundary ${time}` })),
    },
    {
      title: 'local time zones far from UTC (POSIX TZ)',
      cases: ZONE_CASES.map(([time, zone]) => ({ ...anyKind(), at: utc(time), zone, name: `zone ${zone.tz} at ${time} UTC` })),
    },
    { title: 'credentials-file layouts', cases: fileLayoutCases(m) },
    {
      title: 'profile names the AWS CLI accepts (spaces, quotes, # ; $ ] and non-ASCII letters)',
      cases: PROFILE_NAMES.map((profile) => ({ ...anyKind(), profile, name: `profile ${JSON.stringify(profile)}` })),
    },
  ];
}

/** Credentials-file names that careless quoting breaks: the CLI and cc-helper must sign with them alike. */
const PROFILE_NAMES = ['my code profile', 'dév', '開発チーム', 'Ωmega λ', ` it's "x" #1; $HOME \`id\` \\ ] `, 'tab\there', '-dash'];

/** Layouts people's files really have; botocore reads each of them as the same profile. */
function fileLayoutCases(m: CaseMaker): OracleCase[] {
  const layouts: Array<[string, (c: Credentials) => string]> = [
    ['no spaces around =', (c) => `[${PROFILE}]\naws_access_key_id=${c.accessKeyId}\naws_secret_access_key=${c.secretAccessKey}\naws_session_token=${c.sessionToken}\n`],
    ['tabs and extra spaces', (c) => `[${PROFILE}]\n\taws_access_key_id \t=   ${c.accessKeyId}  \naws_secret_access_key\t=\t${c.secretAccessKey}\naws_session_token   =${c.sessionToken}\t\n`],
    ['comments and blank lines', (c) => `# written by hand\n[${PROFILE}] ; the oracle\n; a comment\n\naws_access_key_id = ${c.accessKeyId}\n# another\naws_secret_access_key = ${c.secretAccessKey}\n\naws_session_token = ${c.sessionToken}\n\n`],
    ['CRLF line ends', (c) => `[${PROFILE}]\r\naws_access_key_id = ${c.accessKeyId}\r\naws_secret_access_key = ${c.secretAccessKey}\r\naws_session_token = ${c.sessionToken}\r\n`],
    ['no final newline', (c) => `[${PROFILE}]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\naws_session_token = ${c.sessionToken}`],
    ['between other profiles', (c) => `[default]\naws_access_key_id = AKIACANARYCANARY0000\naws_secret_access_key = canary\n\n[${PROFILE}-old]\naws_access_key_id = AKIAOLDOLDOLDOLD0000\naws_secret_access_key = old\n\n[${PROFILE}]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\naws_session_token = ${c.sessionToken}\n\n[x${PROFILE}]\naws_access_key_id = AKIAXXXXXXXXXXXX0000\naws_secret_access_key = x\n`],
    ['saml2aws style: aws_session_token and aws_security_token, same value', (c) => `[${PROFILE}]\naws_access_key_id        = ${c.accessKeyId}\naws_secret_access_key    = ${c.secretAccessKey}\naws_session_token        = ${c.sessionToken}\naws_security_token       = ${c.sessionToken}\nx_principal_arn          = arn:aws:sts::123456789012:assumed-role/Dev/someone\n`],
    ['legacy aws_security_token only', (c) => `[${PROFILE}]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\naws_security_token = ${c.sessionToken}\n`],
  ];
  return layouts.map(([layout, render]) => {
    let credentials = m.credentials();
    while (credentials.sessionToken === undefined) credentials = m.credentials();
    const base = m.make('layout', m.host('standard', m.pick(REGIONS)));
    return { ...base, name: `layout: ${layout}`, credentials, credentialsFile: render(credentials) };
  });
}

/** Hosts the CLI's `'amazonaws.com' in host` (or `'amazon.com' in host`) test lets through. */
const NEGATIVE_INPUTS: Array<{ protocol: string; host: string }> = [
  { protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com.evil.example' },
  { protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com.evil.example:443' },
  { protocol: 'https', host: 'evil-amazonaws.com.example' },
  { protocol: 'https', host: 'amazonaws.com.evil.example' },
  { protocol: 'https', host: 'evilamazonaws.com' },
  { protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.community' },
  { protocol: 'https', host: 'git-codecommit.cn-north-1.amazonaws.com.cn.evil.example' },
  { protocol: 'https', host: 'git-codecommit-fips.us-gov-west-1.amazonaws.com.evil.example' },
  { protocol: 'https', host: 'vpce-0123456789abcdef0-abcdefgh.git-codecommit.eu-west-1.vpce.amazonaws.com.evil.example' },
  { protocol: 'https', host: 'xgit-codecommit.us-east-1.amazonaws.com' },
  { protocol: 'https', host: 'git-codecommit.us-east-1.evil.example.amazonaws.com.example' },
  { protocol: 'https', host: 's3.amazonaws.com' },
  { protocol: 'https', host: 'www.amazon.com' },
  // A real CodeCommit host, but not over https: cc-helper signs for https only.
  { protocol: 'http', host: 'git-codecommit.us-east-1.amazonaws.com' },
];

// ---------------------------------------------------------------------------------------------
// Running one program under the frozen clock

interface Tools {
  faketime: string;
  /** `unshare` when it can give us an empty network namespace. */
  unshare?: string;
}

function findTools(): Tools {
  const faketime = findOnPath('faketime')!;
  const unshare = findOnPath('unshare');
  const works = unshare !== undefined && spawnSync(unshare, ['-rn', 'true'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  return { faketime, ...(works ? { unshare } : {}) };
}

const CLOSED_PORT_PROXY = 'http://127.0.0.1:9';

/** The whole environment of both programs, built from nothing: no AWS_* but the three below. */
function oracleEnv(home: string, zone: Zone): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    TZ: zone.tz,
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    HTTP_PROXY: CLOSED_PORT_PROXY,
    HTTPS_PROXY: CLOSED_PORT_PROXY,
    http_proxy: CLOSED_PORT_PROXY,
    https_proxy: CLOSED_PORT_PROXY,
  };
}

/** `YYYY-MM-DD hh:mm:ss` of `at` in a fixed-offset zone: what libfaketime reads. */
function wallClock(at: Date, zone: Zone): string {
  return new Date(at.getTime() + zone.offsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

function frozenCommand(tools: Tools, at: Date, zone: Zone, program: string[]): string[] {
  const command = [tools.faketime, '-f', wallClock(at, zone), ...program];
  // unshare execs faketime in place (no --fork), so the child's pid is faketime's.
  return tools.unshare ? [tools.unshare, '-rn', ...command] : command;
}

/** Node gets a real monotonic clock (timers); the CLI's Python must not (see the top). */
function frozenEnv(env: NodeJS.ProcessEnv, program: 'cli' | 'node'): NodeJS.ProcessEnv {
  return program === 'node' ? { ...env, FAKETIME_DONT_FAKE_MONOTONIC: '1' } : env;
}

type Run = FaketimeRun;

function runCommand(argv: string[], env: NodeJS.ProcessEnv, cwd: string, input: string): Promise<Run> {
  return runUnderFaketime(argv, { env, cwd, input, timeoutMs: RUN_TIMEOUT_MS });
}

/** One program under the frozen clock; a faketime that could not start (stale semaphore) is retried. */
async function runFrozen(tools: Tools, program: 'cli' | 'node', argv: string[], at: Date, zone: Zone, env: NodeJS.ProcessEnv, cwd: string, input: string): Promise<Run> {
  for (let attempt = 1; ; attempt++) {
    const run = await runCommand(frozenCommand(tools, at, zone, argv), frozenEnv(env, program), cwd, input);
    if (attempt < 3 && run.code !== 0 && run.stderr.includes('faketime: sem_open')) continue;
    return run;
  }
}

/** At most `limit` cases at a time; first come, first served. */
function limiter(limit: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (job) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
const slot = limiter(CONCURRENCY);

interface Outcome {
  c: OracleCase;
  cli: Run;
  helper: Run;
  credentialsFile: string;
  request: string;
  repro: string;
}

function requestText(c: OracleCase): string {
  return `protocol=${c.protocol}\nhost=${c.host}\npath=${c.path}\n\n`;
}

/** bash $'...' quoting: keeps the repro on one line whatever the data holds. */
function shellQuote(s: string): string {
  return `$'${s.replace(/[\\']/g, (ch) => `\\${ch}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

/** `--profile NAME` as one word (`--profile=NAME`): the CLI's argparse, like cc-helper's, would take `-dash` for an option. */
const CLI_ARGV = (profile: string) => [AWS_CLI, `--profile=${profile}`, 'codecommit', 'credential-helper', 'get'];
const HELPER_ARGV = (profile: string) => [process.execPath, HELPER_BIN, `--profile=${profile}`, 'get'];

async function runCase(tools: Tools, c: OracleCase): Promise<Outcome> {
  return slot(async () => {
    const home = await mkdtemp(join(tmpdir(), 'cc-oracle-'));
    try {
      const credentialsFile = c.credentialsFile ?? credentialsFileText(c.credentials, { canary: c.canary, profile: c.profile });
      await writeFile(join(home, 'credentials'), credentialsFile, { mode: 0o600 });
      await writeFile(join(home, 'config'), '', { mode: 0o600 });
      const env = oracleEnv(home, c.zone);
      const request = requestText(c);
      const [cli, helper] = await Promise.all([
        runFrozen(tools, 'cli', CLI_ARGV(c.profile ?? PROFILE), c.at, c.zone, env, home, request),
        runFrozen(tools, 'node', HELPER_ARGV(c.profile ?? PROFILE), c.at, c.zone, env, home, request),
      ]);
      return { c, cli, helper, credentialsFile, request, repro: reproLine(c, credentialsFile, request) };
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
}

/** One bash line (run from the package root) that replays the case with both programs. */
function reproLine(c: OracleCase, credentialsFile: string, request: string): string {
  const fixed = ['PATH', 'HOME', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'];
  const vars = Object.entries(oracleEnv('/H', c.zone))
    .filter(([name]) => !fixed.includes(name))
    .map(([name, value]) => `${name}=${shellQuote(value ?? '')}`)
    .join(' ');
  const run = (extra: string, argv: string) =>
    `printf %s "$R" | env -i PATH=/usr/bin:/bin HOME=$H AWS_SHARED_CREDENTIALS_FILE=$H/credentials AWS_CONFIG_FILE=$H/config ${vars}${extra} ` +
    `faketime -f ${shellQuote(wallClock(c.at, c.zone))} ${argv}`;
  return (
    `H=$(mktemp -d); printf %s ${shellQuote(credentialsFile)} > $H/credentials; : > $H/config; R=${shellQuote(request)}; ` +
    `${run('', `${AWS_CLI} ${shellQuote(`--profile=${c.profile ?? PROFILE}`)} codecommit credential-helper get`)}; ` +
    `${run(' FAKETIME_DONT_FAKE_MONOTONIC=1', `node bin/cc-helper.js ${shellQuote(`--profile=${c.profile ?? PROFILE}`)} get`)}; rm -rf "$H"`
  );
}

// ---------------------------------------------------------------------------------------------
// Judging

function amzTimestamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').slice(0, 15);
}

function lines(buffer: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = buffer.indexOf(10); i >= 0; i = buffer.indexOf(10, start)) {
    parts.push(buffer.subarray(start, i));
    start = i + 1;
  }
  if (start < buffer.length) parts.push(buffer.subarray(start));
  return parts;
}

function show(run: Run): string {
  const status = run.timedOut ? `timed out after ${RUN_TIMEOUT_MS} ms` : run.signal ? `killed by ${run.signal}` : `exit ${run.code}`;
  const clip = (b: Buffer) => JSON.stringify(b.toString('utf8').slice(0, 3000));
  return `${status}, stdout ${clip(run.stdout)}, stderr ${clip(run.stderr)}`;
}

function describe(o: Outcome, problems: string[]): string {
  const c = o.c;
  return [
    `${c.name}: ${problems.join('; ')}`,
    `  time      ${c.at.toISOString()} (faketime -f ${JSON.stringify(wallClock(c.at, c.zone))}, TZ=${c.zone.tz})`,
    `  request   ${JSON.stringify(o.request)}`,
    `  credentials file ${JSON.stringify(o.credentialsFile)}`,
    `  aws cli   ${show(o.cli)}`,
    `  cc-helper ${show(o.helper)}`,
    `  repro     ${o.repro}`,
  ].join('\n');
}

/** What is wrong with one positive case; [] when cc-helper agrees with the CLI byte for byte. */
function judgeSigned(o: Outcome): string[] {
  const problems: string[] = [];
  const { cli, helper, c } = o;
  const cliLines = lines(cli.stdout);
  const helperLines = lines(helper.stdout);
  const stamp = amzTimestamp(c.at);

  if (c.recorded === null) {
    if (cli.stdout.length !== 0) problems.push('the AWS CLI printed an answer where the recorded vector has none');
    if (helper.stdout.length !== 0) problems.push('cc-helper printed an answer where the AWS CLI prints nothing');
    return problems;
  }
  // The oracle itself must have worked, or a comparison means nothing.
  if (cli.code !== 0 || cliLines.length !== 2 || !cli.stdout.subarray(-1).equals(Buffer.from('\n'))) {
    problems.push('the AWS CLI did not print exactly two lines (harness problem, not a cc-helper verdict)');
    return problems;
  }
  const cliPassword = cliLines[1]!.toString('utf8');
  if (!cliPassword.startsWith(`password=${stamp}Z`)) {
    problems.push(`the AWS CLI signed at another second than the frozen ${stamp} (faketime did not freeze its clock)`);
  }
  if (c.recorded) {
    const recorded = `username=${c.recorded.username}\npassword=${c.recorded.password}\n`;
    if (!cli.stdout.equals(Buffer.from(recorded))) problems.push('the AWS CLI no longer reproduces the recorded fixture vector');
  }
  const expectedUsername = `username=${c.credentials.accessKeyId}${c.credentials.sessionToken ? `%${c.credentials.sessionToken}` : ''}`;
  if (cliLines[0]!.toString('utf8') !== expectedUsername) {
    problems.push('the AWS CLI username is not <key>[%<token>] (harness problem)');
  }

  if (helper.code !== 0) problems.push(`cc-helper exited ${helper.timedOut ? '(timed out)' : helper.signal ?? helper.code}`);
  if (!helperLines[0]?.equals(cliLines[0]!)) problems.push('username lines differ');
  if (!helperLines[1]?.equals(cliLines[1]!)) problems.push('password lines differ');
  const expiry = `password_expiry_utc=${c.at.getTime() / 1000 + PASSWORD_LIFETIME}`;
  if (helperLines[2]?.toString('utf8') !== expiry) problems.push(`third line is not ${expiry}`);
  if (helperLines.length !== 3 || !helper.stdout.subarray(-1).equals(Buffer.from('\n'))) {
    problems.push(`cc-helper printed ${helperLines.length} line(s), expected 3 LF-terminated lines`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Tests

const groups = buildGroups(SEED);
const totalCases = groups.reduce((sum, g) => sum + g.cases.length, 0) + NEGATIVE_INPUTS.length;
const test = needs(ORACLE_WANTED, AWS_CLI_V2, FAKETIME);
// Found when the first case runs (never where the prerequisites are missing).
let found: Tools | undefined;
const tools = (): Tools => (found ??= findTools());
registerOracle();

function registerOracle(): void {
  test.serial(`aws cli oracle (${SEED_TEXT}): the harness freezes the clock and cuts the network`, async (t) => {
    t.timeout(60_000);
    t.log(`${totalCases} cases, ${SEED_TEXT} (set CC_ORACLE_SEED to change it), ${CONCURRENCY} at a time, ${tools().unshare ? 'each in an empty network namespace (unshare -rn)' : 'no network namespace available: proxies point at a closed port'}`);
    const at = utc('2028-02-29 23:59:59');
    const home = await mkdtemp(join(tmpdir(), 'cc-oracle-'));
    t.teardown(() => rm(home, { recursive: true, force: true }));
    const env = oracleEnv(home, UTC);
    // Node (in its mode): the wall clock stays at the frozen second across a timer, which fires.
    const node = await runFrozen(tools(), 'node', [process.execPath, '-e', 'const a = Date.now(); setTimeout(() => console.log(a, Date.now()), 50)'], at, UTC, env, home, '');
    t.is(node.stdout.toString().trim(), `${at.getTime()} ${at.getTime()}`, `Node under faketime: ${show(node)}`);
    // The CLI's own Python (its shebang line), in the CLI's mode: the same second, and sleep works.
    const python = readFileSync(AWS_CLI, 'utf8').split('\n', 1)[0]!.replace(/^#!\s*/, '').split(/\s+/);
    const script = 'import datetime, time; a = datetime.datetime.utcnow(); time.sleep(0.05); print(a.isoformat(), datetime.datetime.utcnow().isoformat())';
    const py = await runFrozen(tools(), 'cli', [...python, '-c', script], at, UTC, env, home, '');
    t.is(py.stdout.toString().trim(), '2028-02-29T23:59:59 2028-02-29T23:59:59', `${python.join(' ')} under faketime: ${show(py)}`);
    if (tools().unshare) {
      const probe = "const s = require('net').connect(443, '1.1.1.1'); s.on('connect', () => { console.log('connected'); process.exit(0) }); s.on('error', (e) => { console.log(e.code); process.exit(0) }); setTimeout(() => { console.log('timeout'); process.exit(0) }, 5000)";
      const net = await runFrozen(tools(), 'node', [process.execPath, '-e', probe], at, UTC, env, home, '');
      t.not(net.stdout.toString().trim(), 'connected', 'the network namespace must have no route out');
      t.log(`connecting out from the namespace: ${net.stdout.toString().trim()}`);
    }
  });

  test.serial(`aws cli oracle (${SEED_TEXT}): the generated cases cover every form`, (t) => {
    const all = groups.flatMap((g) => g.cases);
    t.true(all.length >= 200, `only ${all.length} positive cases`);
    const some = (what: string, f: (c: OracleCase) => boolean) => t.true(all.some(f), `no case with ${what}`);
    some('a standard host', (c) => /^git-codecommit\.[^.]+\.amazonaws\.com(:\d+)?$/.test(c.host));
    some('a FIPS host', (c) => /^git-codecommit-fips\.[^.]+\.amazonaws\.com(:\d+)?$/.test(c.host));
    some('a VPC endpoint host', (c) => /^vpce-.*\.git-codecommit\.[^.]+\.vpce\.amazonaws\.com(:\d+)?$/.test(c.host));
    some('a FIPS VPC endpoint host', (c) => /^vpce-.*\.git-codecommit-fips\.[^.]+\.vpce\.amazonaws\.com(:\d+)?$/.test(c.host));
    for (const region of [...GOV_REGIONS, ...CHINA_REGIONS, ...FUTURE_REGIONS]) some(`region ${region}`, (c) => c.host.includes(`.${region}.`));
    some('a China host', (c) => /\.amazonaws\.com\.cn(:\d+)?$/.test(c.host));
    some('no port', (c) => !c.host.includes(':'));
    some('port 443', (c) => c.host.endsWith(':443'));
    some('another port', (c) => /:\d+$/.test(c.host) && !c.host.endsWith(':443'));
    for (const ch of ['.', '_', '-']) some(`"${ch}" in the repository name`, (c) => c.path.slice('v1/repos/'.length).includes(ch));
    some('no session token', (c) => c.credentials.sessionToken === undefined);
    some('a profile name with a space', (c) => c.profile?.includes(' ') ?? false);
    some('a non-ASCII profile name', (c) => /[^\x00-\x7f]/.test(c.profile ?? ''));
    for (const ch of ['/', '+', '=']) {
      some(`"${ch}" in a secret`, (c) => c.credentials.secretAccessKey.includes(ch));
      some(`"${ch}" in a session token`, (c) => c.credentials.sessionToken?.includes(ch) ?? false);
    }
    for (const time of ['2028-02-29 23:59:59', '2035-12-31 23:59:59', '2027-01-01 00:00:00']) some(`time ${time}`, (c) => c.at.getTime() === utc(time).getTime());
    t.true(all.every((c) => c.at >= utc('2020-01-01 00:00:00') && c.at <= utc('2035-12-31 23:59:59')), 'every time is within 2020-2035');
  });

  test.serial(`aws cli oracle: bin/cc-helper.js runs a bundle built from the current sources`, (t) => {
    // bin/cc-helper.js loads dist/src/cli/cc-helper.cjs, which `npm run build` makes after tsc;
    // `tsc` alone leaves an old bundle, and the oracle would then judge old code.
    const bundle = join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'cc-helper.cjs');
    const bundleTime = statSync(bundle).mtimeMs;
    const newer = sourceFiles(join(PACKAGE_ROOT, 'src')).filter((file) => statSync(file).mtimeMs > bundleTime);
    t.deepEqual(newer, [], `src changed after the bundle was built: run \`npm run build\` (tsc alone does not rebuild ${bundle})`);
  });

  for (const group of groups) {
    test.serial(`aws cli oracle (${SEED_TEXT}): ${group.title}: ${group.cases.length} cases`, async (t) => {
      t.timeout(Math.max(30_000, group.cases.length * 6_000), `${group.cases.length} cases did not finish`);
      const outcomes = await Promise.all(group.cases.map((c) => runCase(tools(), c)));
      reportGroup(t, outcomes.map((o) => [o, judgeSigned(o)]));
    });
  }

  test.serial(`aws cli oracle (${SEED_TEXT}): hosts the CLI's substring check accepts get no answer from cc-helper`, async (t) => {
    t.timeout(Math.max(30_000, NEGATIVE_INPUTS.length * 6_000));
    const m = new CaseMaker(SEED ^ 0x5eed);
    const cases = NEGATIVE_INPUTS.map((input, i) => ({ ...m.make('negative', input.host), host: input.host, protocol: input.protocol, name: `negative #${i + 1} ${input.protocol}://${input.host}` }));
    const outcomes = await Promise.all(cases.map((c) => runCase(tools(), c)));
    const cliSigned = outcomes.filter((o) => lines(o.cli.stdout).some((l) => l.toString('utf8').startsWith('password=')));
    t.log(`the AWS CLI signed for ${cliSigned.length} of these ${outcomes.length}: ${cliSigned.map((o) => `${o.c.protocol}://${o.c.host}`).join(', ')}`);
    reportGroup(t, outcomes.map((o) => [o, o.helper.stdout.length === 0 && o.helper.code === 0 ? [] : ['cc-helper must print nothing on stdout (and exit 0) for a host that is not CodeCommit or not https']]));
  });
}

function reportGroup(t: ExecutionContext, judged: Array<[Outcome, string[]]>): void {
  const failures = judged.filter(([, problems]) => problems.length > 0);
  for (const [outcome, problems] of failures) t.fail(describe(outcome, problems));
  if (failures.length === 0) t.pass(`${judged.length} cases agree`);
  else t.log(`${failures.length} of ${judged.length} cases failed`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`CC_ORACLE_SEED must be an integer from 0 to 4294967295, not ${JSON.stringify(text)}`);
  return value;
}

function clampInt(text: string | undefined, fallback: number, min: number, max: number): number {
  const value = text === undefined ? NaN : Number(text);
  return Number.isInteger(value) ? Math.min(max, Math.max(min, value)) : fallback;
}
