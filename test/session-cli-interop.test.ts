// The sign-in caches, both ways, with the AWS CLI's own code as the other party: whoever refreshes
// (cc-helper or the CLI), the other uses that token without a refresh of its own, and its next
// refresh spends the refresh token the first one wrote back (a spent one would end the session
// at the stand-in, which is how the service may treat a reused refresh token).
//
// IAM Identity Center: Debian's AWS CLI 2.9 (/usr/bin/aws). It ignores AWS_ENDPOINT_URL_*, so it
// reaches the stand-in as it would reach AWS: HTTPS to oidc.us-east-1.amazonaws.com and
// portal.sso.us-east-1.amazonaws.com through a loopback CONNECT proxy (HTTPS_PROXY) that only
// dials 127.0.0.1, to a TLS front with a throwaway CA (AWS_CA_BUNDLE), spliced to the stand-in.
// cc-helper goes the same way (no endpoint variables): its default endpoints, proxy and CA bundle
// are part of what is tested.
//
// aws login: the pyenv Python's botocore 1.43 (the CLI 2.32 `aws login` is not installed here),
// through test/support/botocore-sign-in.py, which gives botocore awscrt's EC interface on
// `cryptography` (this Python lacks awscrt); the refresh logic, the DPoP proof and the write-back
// are botocore's. The cache `aws login` writes is written by botocore's JSONFileCache, the same
// code the CLI uses, and this file first checks that the tests' own writer
// (standins/sign-in-files.ts) produces the same bytes, so the day and race tests start from it.
import type { ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routeHostsTo, startConnectProxy } from '../standins/connect-proxy.js';
import { run, type Env } from '../standins/git-env.js';
import { PACKAGE_ROOT, HELPER_BIN } from '../standins/helper-process.js';
import { cliTime, startIdentityCenterStandIn, type IdentityCenterStandIn, type SsoTokenFile } from '../standins/identity-center-standin.js';
import { AWS_CLI_V2, BOTOCORE_PYTHON, FAKETIME, OPENSSL, POSIX, SETSID, botocorePython, needs, type Prerequisite } from './support/prerequisites.js';
import { loginTokenPath, pythonJsonDumps, readJsonFile, ssoTokenPath } from '../standins/sign-in-files.js';
import { startSigninStandIn, type LoginTokenFile } from '../standins/signin-standin.js';
import { simulatedClock, type SimulatedClock } from '../standins/simulated-clock.js';
import { makeThrowawayCa } from '../standins/throwaway-ca.js';
import { startTlsFront } from '../standins/tls-front.js';
import { verifyCodeCommitPassword } from '../standins/codecommit-signature.js';

const AWS_CLI = '/usr/bin/aws'; // not `which aws`: a pyenv shim may come first
const ORACLE = join(PACKAGE_ROOT, 'test', 'support', 'botocore-sign-in.py');
const ACCOUNT = '111122223333';
const HOST = 'git-codecommit.us-east-1.amazonaws.com';
const REQUEST = `protocol=https\nhost=${HOST}\npath=v1/repos/demo\n\n`;
const OIDC_HOST = 'oidc.us-east-1.amazonaws.com';
const PORTAL_HOST = 'portal.sso.us-east-1.amazonaws.com';
const START_URL = 'https://d-1234567890.awsapps.com/start';
const MINUTE = 60_000;

/**
 * A botocore that has the aws login provider (1.43 in the pyenv Python here), and `cryptography`
 * for the EC shim. Not installed by .ci/run (PyPI is out of reach): skipped where absent.
 */
const BOTOCORE_LOGIN: Prerequisite = {
  what: "a Python whose botocore has the aws login provider (LoginProvider), with cryptography",
  present: () => {
    const python = botocorePython();
    return python !== undefined && spawnSync(python, ['-c', 'import cryptography, botocore.credentials as c; c.LoginProvider'], { stdio: 'ignore' }).status === 0;
  },
  providedOn: [],
  install: 'pip install --upgrade botocore cryptography into the Python BOTOCORE_PYTHON finds',
};
const ssoTest = needs(POSIX, FAKETIME, AWS_CLI_V2, SETSID, OPENSSL, BOTOCORE_PYTHON);
const loginTest = needs(POSIX, FAKETIME, BOTOCORE_LOGIN);

function tempHome(t: ExecutionContext, prefix: string): string {
  const home = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, '.aws'), { mode: 0o700 });
  return home;
}

/** Runs the botocore oracle with only these variables. */
async function botocore(args: string[], env: Env, input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run(botocorePython()!, [ORACLE, ...args], { env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', ...env }, input, timeoutMs: 60_000 });
}

/** The answer's key, checked: a key the stand-in issued, a valid signature at `at`. */
function signedWith(t: ExecutionContext, stdout: string, keys: { accessKeyId: string; secretAccessKey: string; sessionToken: string }[], at: Date): string | undefined {
  const m = /^username=(.*)\npassword=(.*)\n/.exec(stdout);
  if (!m) return undefined;
  const verdict = verifyCodeCommitPassword({ username: m[1]!, password: m[2]!, host: HOST, repoPath: '/v1/repos/demo', now: at, keys });
  t.true(verdict.ok, `the answer verifies: ${JSON.stringify(verdict)}`);
  return verdict.ok ? verdict.accessKeyId : undefined;
}

// --- IAM Identity Center with the AWS CLI 2.9 ------------------------------------------------------

interface SsoInterop {
  home: string;
  center: IdentityCenterStandIn;
  clock: SimulatedClock;
  tokenFile: string;
  /** cc-helper's environment: the proxy and CA bundle, no endpoint variables. */
  helperEnv: Env;
  cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  helper(profile: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
  connects: string[];
  refused: string[];
}

const ROLES = { helper: 'HelperRole', cli: 'CliRole', third: 'ThirdRole' };

async function ssoInterop(t: ExecutionContext, expiresInMinutes: number): Promise<SsoInterop> {
  const home = tempHome(t, 'cc-helper-sso-interop-');
  const clock = simulatedClock();
  const center = await startIdentityCenterStandIn({ now: clock.now, assignments: { [ACCOUNT]: Object.values(ROLES) } });
  const ca = await makeThrowawayCa(join(home, 'ca'), [OIDC_HOST, PORTAL_HOST]);
  const front = await startTlsFront(center.port, ca);
  const proxy = await startConnectProxy({ routes: routeHostsTo(front.port, [OIDC_HOST, PORTAL_HOST]) });
  t.teardown(async () => {
    await proxy.close();
    await front.close();
    await center.close();
  });
  writeFileSync(
    join(home, '.aws', 'config'),
    Object.entries(ROLES)
      .map(([profile, role]) => `[profile ${profile}]\nsso_session = corp\nsso_account_id = ${ACCOUNT}\nsso_role_name = ${role}\nregion = us-east-1\n\n`)
      .join('') + `[sso-session corp]\nsso_start_url = ${START_URL}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n`,
  );
  const base: Env = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    HTTPS_PROXY: proxy.url,
    AWS_CA_BUNDLE: ca.caCertPath,
  };
  // `aws sso login` at "now minus the token's hour", written by botocore's own cache writer.
  const token = center.signIn();
  const written: SsoTokenFile = { ...token, expiresAt: cliTime(new Date(Date.now() + expiresInMinutes * MINUTE)) };
  const saved = await botocore(['write-sso-cache', 'corp', START_URL], { HOME: home }, JSON.stringify(written));
  if (saved.code !== 0) throw new Error(`botocore could not write the token: ${saved.stderr}`);
  const tokenFile = ssoTokenPath(home, 'corp');
  t.is(readFileSync(tokenFile, 'utf8'), pythonJsonDumps(written), 'the tests\' writer gives the bytes botocore writes');
  return {
    home,
    center,
    clock,
    tokenFile,
    helperEnv: base,
    connects: proxy.connects,
    refused: proxy.refused,
    cli: (args) => run('setsid', ['-w', AWS_CLI, ...args], { env: { ...base, AWS_PAGER: '', AWS_MAX_ATTEMPTS: '1', AWS_RETRY_MODE: 'standard' }, timeoutMs: 120_000 }),
    helper: (profile) => clock.run(process.execPath, [HELPER_BIN, '--profile', profile, 'get'], { env: base, input: REQUEST }),
  };
}

function issuedFor(center: IdentityCenterStandIn, role: string) {
  return center.issuedRoleCredentials().filter((c) => c.roleName === role);
}

ssoTest('IAM Identity Center: a token cc-helper refreshed serves the AWS CLI 2.9 with no refresh of its own', async (t) => {
  const w = await ssoInterop(t, 5); // inside the 15-minute refresh window, still valid
  const before = readJsonFile<SsoTokenFile>(w.tokenFile);

  const got = await w.helper('helper');
  t.is(got.code, 0, got.stderr);
  t.is(w.center.refreshes, 1, `cc-helper refreshed the token: ${got.stderr}`);
  const key = signedWith(t, got.stdout, issuedFor(w.center, ROLES.helper), new Date());
  t.truthy(key, got.stderr);
  t.true(w.connects.includes(`${OIDC_HOST}:443`), 'cc-helper reached SSO OIDC at its default endpoint, through the proxy');

  const after = readJsonFile<SsoTokenFile>(w.tokenFile);
  t.not(after.accessToken, before.accessToken);
  t.not(after.refreshToken, before.refreshToken, 'the rotated refresh token was written back');
  t.deepEqual(Object.keys(after), Object.keys(before), 'the keys the CLI writes, in its order');
  t.regex(after.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.is(statSync(w.tokenFile).mode & 0o777, 0o600);

  // The CLI, for a role with no cached credentials, needs the token: it finds cc-helper's fresh
  // and goes straight to the portal with it.
  const exported = await w.cli(['configure', 'export-credentials', '--profile', 'cli', '--format', 'process']);
  t.is(exported.code, 0, exported.stderr);
  const cliRole = issuedFor(w.center, ROLES.cli);
  t.is(cliRole.length, 1, 'the CLI fetched its role credentials from the portal');
  t.is((JSON.parse(exported.stdout) as { AccessKeyId: string }).AccessKeyId, cliRole[0]!.accessKeyId);
  t.is(w.center.calls.CreateToken, 1, 'the CLI made no refresh of its own');
  t.is(readJsonFile<SsoTokenFile>(w.tokenFile).refreshToken, after.refreshToken, 'and left the token as cc-helper wrote it');
  t.true(w.connects.includes(`${PORTAL_HOST}:443`));
  t.deepEqual(w.refused, [], 'nothing tried to leave the machine');
});

ssoTest('IAM Identity Center: a token the AWS CLI 2.9 refreshed serves cc-helper, whose next refresh spends the CLI\'s rotated refresh token', async (t) => {
  const w = await ssoInterop(t, 5);
  const before = readJsonFile<SsoTokenFile>(w.tokenFile);

  const exported = await w.cli(['configure', 'export-credentials', '--profile', 'cli', '--format', 'process']);
  t.is(exported.code, 0, exported.stderr);
  t.is(w.center.refreshes, 1, 'the CLI refreshed the token');
  const cliToken = readJsonFile<SsoTokenFile>(w.tokenFile);
  t.not(cliToken.refreshToken, before.refreshToken);

  // cc-helper, another role: the CLI's token is fresh, so no refresh, straight to the portal.
  const got = await w.helper('helper');
  t.is(got.code, 0, got.stderr);
  t.truthy(signedWith(t, got.stdout, issuedFor(w.center, ROLES.helper), new Date()), got.stderr);
  t.is(w.center.calls.CreateToken, 1, 'cc-helper used the CLI\'s token without a refresh');

  // 50 minutes on, that token is inside the window: cc-helper refreshes with the refresh token the
  // CLI wrote. Had it kept an older one, the stand-in would refuse it and end the session.
  w.clock.set(new Date(Date.now() + 50 * MINUTE));
  const later = await w.helper('third');
  t.is(later.code, 0, later.stderr);
  t.is(w.center.refreshes, 2, `cc-helper refreshed with the CLI's rotated refresh token: ${later.stderr}`);
  t.deepEqual(w.center.log.filter((e) => e.error), [], 'no refresh was refused');
  t.truthy(signedWith(t, later.stdout, issuedFor(w.center, ROLES.third), w.clock.now()), later.stderr);
  t.not(readJsonFile<SsoTokenFile>(w.tokenFile).refreshToken, cliToken.refreshToken);
  t.deepEqual(w.refused, []);
});

// --- aws login with botocore 1.43 --------------------------------------------------------------------

interface LoginInterop {
  home: string;
  clock: SimulatedClock;
  tokenFile: string;
  signin: Awaited<ReturnType<typeof startSigninStandIn>>;
  loginSession: string;
  env: Env;
  helper(): Promise<{ code: number | null; stdout: string; stderr: string }>;
  botocore(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** `aws login` `minutesAgo` minutes ago (its credentials last 15), the cache written by botocore's JSONFileCache. */
async function loginInterop(t: ExecutionContext, expiresInMinutes: number): Promise<LoginInterop> {
  const home = tempHome(t, 'cc-helper-login-interop-');
  const clock = simulatedClock();
  const signin = await startSigninStandIn({ now: clock.now });
  t.teardown(() => signin.close());
  const login = signin.signIn({ account: ACCOUNT });
  writeFileSync(join(home, '.aws', 'config'), `[profile console]\nlogin_session = ${login.loginSession}\nregion = us-east-1\n`);
  const env: Env = {
    HOME: home,
    TZ: 'UTC',
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_SIGNIN: signin.url,
  };
  const token: LoginTokenFile = { ...login.token, accessToken: { ...login.token.accessToken, expiresAt: cliTime(new Date(Date.now() + expiresInMinutes * MINUTE)) } };
  const saved = await botocore(['write-login-cache', login.loginSession], env, JSON.stringify(token));
  if (saved.code !== 0) throw new Error(`botocore could not write the cache: ${saved.stderr}`);
  const tokenFile = loginTokenPath(join(home, '.aws', 'login', 'cache'), login.loginSession);
  t.is(readFileSync(tokenFile, 'utf8'), pythonJsonDumps(token), 'the tests\' writer gives the bytes botocore writes');
  return {
    home,
    clock,
    tokenFile,
    signin,
    loginSession: login.loginSession,
    env,
    helper: () => clock.run(process.execPath, [HELPER_BIN, '--profile', 'console', 'get'], { env: { PATH: '/usr/bin:/bin', LANG: 'C', ...env }, input: REQUEST }),
    botocore: () => botocore(['credentials', 'console'], env),
  };
}

loginTest('aws login: a cache exactly as aws login writes it signs at once, and cc-helper\'s refresh serves botocore with no refresh of its own', async (t) => {
  const w = await loginInterop(t, 14); // more than 5 minutes left: no refresh
  const written = readJsonFile<LoginTokenFile>(w.tokenFile);

  const warm = await w.helper();
  t.is(warm.code, 0, warm.stderr);
  t.is(signedWith(t, warm.stdout, w.signin.issuedCredentials(), new Date()), written.accessToken.accessKeyId, 'signed with the cached credentials');
  t.is(w.signin.calls, 0, 'no call while the credentials are fresh');

  // Ten minutes on, 4 minutes are left: cc-helper refreshes (DPoP proof, rotated refresh token).
  w.clock.set(new Date(Date.now() + 10 * MINUTE));
  const refreshed = await w.helper();
  t.is(refreshed.code, 0, refreshed.stderr);
  t.is(w.signin.refreshes, 1, `cc-helper refreshed: ${JSON.stringify(w.signin.log)} ${refreshed.stderr}`);
  const after = readJsonFile<LoginTokenFile>(w.tokenFile);
  t.is(signedWith(t, refreshed.stdout, w.signin.issuedCredentials(), w.clock.now()), after.accessToken.accessKeyId);
  t.not(after.refreshToken, written.refreshToken);
  t.deepEqual(Object.keys(after), Object.keys(written), 'the keys aws login writes, in its order');
  t.deepEqual(Object.keys(after.accessToken), Object.keys(written.accessToken));
  t.is(after.accessToken.accountId, ACCOUNT);
  t.is(after.dpopKey, written.dpopKey, 'the DPoP key is kept as it was');
  t.is(after.idToken, written.idToken);
  t.is(statSync(w.tokenFile).mode & 0o777, 0o600);

  // botocore (real time: 25 minutes left on what cc-helper wrote) signs with cc-helper's credentials.
  w.clock.set(new Date());
  const boto = await w.botocore();
  t.is(boto.code, 0, boto.stderr);
  t.like(JSON.parse(boto.stdout), { access_key: after.accessToken.accessKeyId, method: 'login', account_id: ACCOUNT });
  t.is(w.signin.calls, 1, 'botocore made no refresh of its own');
});

loginTest('aws login: botocore refreshes, cc-helper signs with what it wrote, and cc-helper\'s next refresh spends botocore\'s rotated refresh token', async (t) => {
  const w = await loginInterop(t, 3); // inside botocore's 5-minute threshold
  const written = readJsonFile<LoginTokenFile>(w.tokenFile);

  const boto = await w.botocore();
  t.is(boto.code, 0, boto.stderr);
  t.is(w.signin.refreshes, 1, `botocore refreshed through the stand-in with its own DPoP proof: ${JSON.stringify(w.signin.log)}`);
  const botoToken = readJsonFile<LoginTokenFile>(w.tokenFile);
  t.not(botoToken.refreshToken, written.refreshToken);

  const got = await w.helper();
  t.is(got.code, 0, got.stderr);
  t.is(signedWith(t, got.stdout, w.signin.issuedCredentials(), new Date()), botoToken.accessToken.accessKeyId, 'cc-helper signed with botocore\'s refreshed credentials');
  t.is(w.signin.calls, 1, 'without a refresh of its own');

  // Eleven minutes on (4 left): cc-helper refreshes with the refresh token botocore wrote.
  w.clock.set(new Date(Date.now() + 11 * MINUTE));
  const later = await w.helper();
  t.is(later.code, 0, later.stderr);
  t.is(w.signin.refreshes, 2, `cc-helper refreshed with botocore's rotated refresh token: ${JSON.stringify(w.signin.log)}`);
  t.deepEqual(w.signin.log.filter((e) => e.error), [], 'no refresh was refused');
  t.is(signedWith(t, later.stdout, w.signin.issuedCredentials(), w.clock.now()), readJsonFile<LoginTokenFile>(w.tokenFile).accessToken.accessKeyId);
});
