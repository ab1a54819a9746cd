// IAM Identity Center token refresh as botocore's SSOTokenProvider does it, through the built
// helper (a fresh process per get, as git starts it), real files in a temporary HOME, and the
// loopback Identity Center stand-in (rotating refresh tokens; a spent one ends the session).
// The role credentials cache is left cold (or absent) so each get needs the token: the token is
// only read on that path. The long day and 16 gets at once are test/working-day.test.ts and
// test/expiry-race.test.ts; here: each rule on its own, and what a hostile OIDC answer does.
import type { ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../standins/git-env.js';
import { HELPER_BIN, makeAwsHome, request, runHelper, type AwsHome, type HelperResult } from '../standins/helper-process.js';
import { cliTime, ssoTokenCacheName, startIdentityCenterStandIn, type IdentityCenterStandIn, type SsoTokenFile } from '../standins/identity-center-standin.js';
import { BOTOCORE_PYTHON, botocorePython, FAKETIME, needs, POSIX } from './support/prerequisites.js';

const test = needs(POSIX);
const withPython = needs(POSIX, BOTOCORE_PYTHON);
const withFaketime = needs(POSIX, FAKETIME);

const ACCOUNT = '111122223333';
const GET = request({ protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com', path: 'v1/repos/demo' });

interface World {
  home: AwsHome;
  center: IdentityCenterStandIn;
  env: NodeJS.ProcessEnv;
  tokenFile: string;
  /** Writes what `aws sso login` leaves, with the access token ending `minutesLeft` from now. */
  signIn(minutesLeft: number, change?: (token: SsoTokenFile) => Record<string, unknown>): SsoTokenFile;
  get(profile?: string, extra?: NodeJS.ProcessEnv): Promise<HelperResult>;
  /** The get under faketime, its clock `offsetSeconds` ahead (and running). */
  getAt(offsetSeconds: number): Promise<HelperResult>;
  token(): Record<string, string>;
  /** Role credentials cached by the last get: removed, so the next get needs the token again. */
  forgetRoleCredentials(): void;
}

const profileSection = (name: string, role: string) => `[profile ${name}]\nsso_session = corp\nsso_account_id = ${ACCOUNT}\nsso_role_name = ${role}\nregion = us-east-1\n`;
const SESSION = '[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n';

async function world(t: ExecutionContext, config = profileSection('dev', 'Developer') + SESSION): Promise<World> {
  const home = makeAwsHome({ credentials: '', config });
  const center = await startIdentityCenterStandIn();
  t.teardown(async () => {
    await center.close();
    home.cleanup();
  });
  const dir = join(home.home, '.aws', 'sso', 'cache');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tokenFile = join(dir, ssoTokenCacheName('corp'));
  const env = { ...home.env, AWS_ENDPOINT_URL_SSO_OIDC: center.url, AWS_ENDPOINT_URL_SSO: center.url };
  const roleCache = join(home.home, '.aws', 'cli', 'cache');
  return {
    home,
    center,
    env,
    tokenFile,
    signIn(minutesLeft, change = (token) => token as unknown as Record<string, unknown>) {
      const token = center.signIn();
      const shaped = change({ ...token, expiresAt: cliTime(new Date(Date.now() + minutesLeft * 60_000)) });
      writeFileSync(tokenFile, JSON.stringify(shaped), { mode: 0o600 });
      return token;
    },
    get: (profile = 'dev', extra = {}) => runHelper(['--profile', profile, 'get'], GET, { ...env, ...extra }),
    // FAKETIME_DONT_FAKE_MONOTONIC: Node's timers run on the monotonic clock (see test/aws-cli-oracle.test.ts).
    getAt: (offsetSeconds) => run('/usr/bin/faketime', ['-f', `+${offsetSeconds}`, process.execPath, HELPER_BIN, '--profile', 'dev', 'get'], { env: { ...env, FAKETIME_DONT_FAKE_MONOTONIC: '1' }, input: GET }),
    token: () => JSON.parse(readFileSync(tokenFile, 'utf8')) as Record<string, string>,
    forgetRoleCredentials: () => rmSync(roleCache, { recursive: true, force: true }),
  };
}

function assertSigned(t: ExecutionContext, r: HelperResult, center: IdentityCenterStandIn) {
  t.is(r.code, 0, r.stderr);
  const issued = center.issuedRoleCredentials().at(-1)!;
  t.true(r.stdout.startsWith(`username=${issued.accessKeyId}%${issued.sessionToken}\npassword=`), r.stdout + r.stderr);
}

function assertQuit(t: ExecutionContext, r: HelperResult, message: RegExp) {
  t.is(r.stdout, 'quit=1\n');
  t.is(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
  t.regex(r.stderr, message);
}

/** The temp files writePrivateFileSync makes, left behind by a failed write. */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.tmp'));
}

withPython('refresh when due and not before: 16 minutes left is used as it is, 14 minutes left is refreshed once, written back as botocore writes it', async (t) => {
  const w = await world(t);
  const first = w.signIn(16);
  assertSigned(t, await w.get(), w.center);
  t.is(w.center.calls.CreateToken, 0, 'outside the 15-minute window: no refresh');
  t.is(w.token().refreshToken, first.refreshToken);

  w.forgetRoleCredentials();
  const second = w.signIn(14);
  const before = w.token();
  const r = await w.get();
  assertSigned(t, r, w.center);
  t.is(r.stderr, '');
  t.is(w.center.refreshes, 1);
  const written = w.token();
  t.not(written.accessToken, before.accessToken);
  t.not(written.refreshToken, second.refreshToken, 'the rotated refresh token is kept');
  // botocore's _attempt_create_token dict, key for key and in its order, as json.dumps writes it.
  t.deepEqual(Object.keys(written), ['startUrl', 'region', 'accessToken', 'expiresAt', 'clientId', 'clientSecret', 'registrationExpiresAt', 'refreshToken']);
  t.like(written, { startUrl: 'https://d-1234567890.awsapps.com/start', region: 'us-east-1', clientId: second.clientId, clientSecret: second.clientSecret, registrationExpiresAt: second.registrationExpiresAt });
  t.regex(written.expiresAt!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.true(Math.abs(new Date(written.expiresAt!).getTime() - (Date.now() + 3600_000)) < 60_000);
  const text = readFileSync(w.tokenFile, 'utf8');
  const python = execFileSync(botocorePython()!, ['-c', 'import json,sys; sys.stdout.write(json.dumps(json.load(open(sys.argv[1]))))', w.tokenFile], { encoding: 'utf8' });
  t.is(text, python, "Python's json.dumps form, byte for byte");
  t.is(statSync(w.tokenFile).mode & 0o777, 0o600);
  t.deepEqual(leftovers(join(w.home.home, '.aws', 'sso', 'cache')), []);

  // The portal took the new access token, and the next refresh spends the rotated refresh token:
  // it works only because the written-back one is the live one.
  w.forgetRoleCredentials();
  writeFileSync(w.tokenFile, JSON.stringify({ ...w.token(), expiresAt: cliTime(new Date(Date.now() + 60_000)) }));
  assertSigned(t, await w.get(), w.center);
  t.is(w.center.refreshes, 2);
  t.false(w.center.log.some((e) => e.error), JSON.stringify(w.center.log));
});

withFaketime('under faketime: a token signed in 46 minutes ago (1 h tokens) is refreshed; 44 minutes ago it is not', async (t) => {
  const w = await world(t);
  w.signIn(60);
  let offset = 44 * 60;
  w.center.now = () => new Date(Date.now() + offset * 1000);
  assertSigned(t, await w.getAt(offset), w.center);
  t.is(w.center.calls.CreateToken, 0);
  w.forgetRoleCredentials();
  offset = 46 * 60;
  assertSigned(t, await w.getAt(offset), w.center);
  t.is(w.center.refreshes, 1);
  // The new token's expiry is measured from the faked clock: 46 min + 1 h from the real now.
  t.true(Math.abs(new Date(w.token().expiresAt!).getTime() - (Date.now() + (46 + 60) * 60_000)) < 60_000);
});

test('a refused refresh: with minutes left it signs and says until when (once, on one line); once ended it is one line, quit=1, and the file is untouched', async (t) => {
  const w = await world(t);
  w.signIn(5);
  const refusal = { status: 400, body: '{"error":"invalid_grant","error_description":"Invalid refresh token provided"}', headers: { 'x-amzn-errortype': 'InvalidGrantException' } };
  w.center.answerNext('CreateToken', refusal);
  const before = readFileSync(w.tokenFile, 'utf8');
  const soon = await w.get();
  assertSigned(t, soon, w.center);
  t.regex(soon.stderr, /^cc-helper: profile "dev": could not refresh the SSO login \(the SSO session has ended \(InvalidGrantException\)\); it still serves until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: run `aws sso login --profile dev` before then\n$/);
  t.is(readFileSync(w.tokenFile, 'utf8'), before);

  // A session an administrator ended: the refresh is refused and the portal refuses the token
  // too: one line (not a warning and then an error), quit=1.
  w.forgetRoleCredentials();
  w.center.endSessions();
  const revoked = await w.get();
  assertQuit(t, revoked, /^cc-helper: profile "dev" needs an SSO login: run `aws sso login --profile dev` and try again \(the SSO portal no longer accepts the login, and refreshing it failed: the SSO session has ended \(InvalidGrantException\)\)\n$/);

  w.forgetRoleCredentials();
  writeFileSync(w.tokenFile, JSON.stringify({ ...JSON.parse(before), expiresAt: cliTime(new Date(Date.now() - 60_000)) }));
  const expired = readFileSync(w.tokenFile, 'utf8');
  const calls = w.center.calls.GetRoleCredentials;
  const ended = await w.get();
  assertQuit(t, ended, /^cc-helper: profile "dev" needs an SSO login: run `aws sso login --profile dev` and try again \(the SSO login expired at .*, and refreshing failed: the SSO session has ended \(InvalidGrantException\)\)\n$/);
  t.is(readFileSync(w.tokenFile, 'utf8'), expired, 'nothing written');
  t.is(w.center.calls.GetRoleCredentials, calls, 'the portal is not asked with an expired token');
  t.deepEqual(leftovers(join(w.home.home, '.aws', 'sso', 'cache')), []);
});

test('an expired client registration or a token without refresh keys is never sent to CreateToken', async (t) => {
  const w = await world(t);
  w.signIn(-1, (token) => ({ ...token, registrationExpiresAt: cliTime(new Date(Date.now() - 1000)) }));
  assertQuit(t, await w.get(), /needs an SSO login: run `aws sso login --profile dev` and try again \(the SSO login expired at .*, and cannot be refreshed: its client registration expired at .*\)\n$/);
  w.signIn(-1, ({ refreshToken: _, ...rest }) => rest);
  assertQuit(t, await w.get(), /and cannot be refreshed: it holds no refreshToken/);
  // Still valid but inside the window, without refresh keys: it serves silently, as the CLI does.
  w.signIn(3, ({ refreshToken: _, clientSecret: __, ...rest }) => rest);
  const r = await w.get();
  assertSigned(t, r, w.center);
  t.is(r.stderr, '');
  t.is(w.center.calls.CreateToken, 0);
});

test('a legacy SSO profile (sso_start_url in the profile, no sso_session) is never refreshed, even with refresh keys in its token', async (t) => {
  const w = await world(t, `[profile legacy]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = ${ACCOUNT}\nsso_role_name = Developer\n`);
  const dir = join(w.home.home, '.aws', 'sso', 'cache');
  const legacyFile = join(dir, `${createHash('sha1').update('https://d-1234567890.awsapps.com/start').digest('hex')}.json`);
  const token = w.center.signIn();
  writeFileSync(legacyFile, JSON.stringify({ ...token, expiresAt: cliTime(new Date(Date.now() + 5 * 60_000)) }), { mode: 0o600 });
  assertSigned(t, await w.get('legacy'), w.center);
  writeFileSync(legacyFile, JSON.stringify({ ...token, expiresAt: cliTime(new Date(Date.now() - 60_000)) }), { mode: 0o600 });
  w.forgetRoleCredentials();
  assertQuit(t, await w.get('legacy'), /needs an SSO login: run `aws sso login --profile legacy` and try again \(the SSO login expired at .*; a profile without sso_session cannot refresh it/);
  t.is(w.center.calls.CreateToken, 0);
});

test('two profiles (two roles, two role locks) on one sso-session refresh its token once: the token has its own lock', async (t) => {
  const w = await world(t, profileSection('a', 'RoleA') + profileSection('b', 'RoleB') + profileSection('c', 'RoleC') + profileSection('d', 'RoleD') + SESSION);
  w.signIn(2);
  const results = await Promise.all(['a', 'b', 'c', 'd'].map((p) => w.get(p)));
  for (const r of results) {
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /^username=ASIA/);
    t.is(r.stderr, '');
  }
  t.is(w.center.calls.CreateToken, 1, JSON.stringify(w.center.log));
  t.is(w.center.refreshes, 1);
  t.false(w.center.log.some((e) => e.error), 'no spent refresh token was presented');
});

test('gets that waited for a refresh that failed take its outcome: the service is asked once, whether the token still serves or has ended', async (t) => {
  const w = await world(t, profileSection('a', 'RoleA') + profileSection('b', 'RoleB') + profileSection('c', 'RoleC') + profileSection('d', 'RoleD') + SESSION);
  const refusal = { status: 400, body: '{"error":"invalid_grant"}', headers: { 'x-amzn-errortype': 'InvalidGrantException' }, delayMs: 3000 };
  // Still valid for 3 minutes: each get signs with it, and says so once.
  w.signIn(3);
  w.center.answerNext('CreateToken', refusal);
  const served = await Promise.all(['a', 'b', 'c', 'd'].map((p) => w.get(p)));
  for (const r of served) {
    t.regex(r.stdout, /^username=ASIA/, r.stderr);
    t.regex(r.stderr, /^cc-helper: profile "[abcd]": could not refresh the SSO login \(the SSO session has ended \(InvalidGrantException\)\); it still serves until .*\n$/);
  }
  t.is(w.center.calls.CreateToken, 1, 'one refresh attempt for four gets');
  // Ended: each get is one line and quit=1, from one refusal.
  w.forgetRoleCredentials();
  w.signIn(-1);
  w.center.answerNext('CreateToken', refusal);
  const ended = await Promise.all(['a', 'b', 'c', 'd'].map((p) => w.get(p)));
  for (const r of ended) assertQuit(t, r, /needs an SSO login: run `aws sso login --profile [abcd]` and try again \(the SSO login expired at .*, and refreshing failed: the SSO session has ended \(InvalidGrantException\)\)\n$/);
  t.is(w.center.calls.CreateToken, 2, 'one more attempt for four more gets');
});

test('a token in the role cache is never read while the role credentials are fresh', async (t) => {
  const w = await world(t);
  w.signIn(60);
  assertSigned(t, await w.get(), w.center);
  // Now the token file is hostile (a FIFO would block a reader): the warm get never opens it.
  rmSync(w.tokenFile);
  execFileSync('mkfifo', [w.tokenFile]);
  const r = await w.get();
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^username=ASIA/);
  t.is(w.center.calls.GetRoleCredentials, 1);
});

/** Hostile CreateToken answers: none may be used, none may be written, each costs bounded time. */
const HOSTILE: Array<{ name: string; answer: Parameters<IdentityCenterStandIn['answerNext']>[1] | 'stall'; why: RegExp }> = [
  { name: 'garbage', answer: { status: 200, body: 'this is not json <html>' }, why: /an answer that is not the service's \(HTTP 200\)/ },
  { name: 'huge', answer: { status: 200, body: `{"accessToken":"${'a'.repeat(400_000)}","expiresIn":3600}`, chunked: true }, why: /an answer larger than 262144 bytes/ },
  { name: 'slow', answer: 'stall', why: /no answer within \d+ s/ },
  { name: 'expired', answer: { status: 200, body: JSON.stringify({ accessToken: 'aoaNEWTOKEN', tokenType: 'Bearer', expiresIn: 0, refreshToken: 'Atzr|new' }) }, why: /SSO OIDC answered with a token that lasts 0 s; not used/ },
  { name: 'line break in a token', answer: { status: 200, body: JSON.stringify({ accessToken: 'aoa\nx-amz-evil: 1', tokenType: 'Bearer', expiresIn: 3600, refreshToken: 'Atzr|new' }) }, why: /with a token holding characters no token has/ },
  { name: 'missing field', answer: { status: 200, body: JSON.stringify({ tokenType: 'Bearer', expiresIn: 3600 }) }, why: /without an access token and its lifetime/ },
  { name: 'server error', answer: { status: 500, body: '{"message":"Atzr|secret-looking"}', headers: { 'x-amzn-errortype': 'InternalServerException' } }, why: /HTTP 500 InternalServerException/ },
];

for (const hostile of HOSTILE) {
  test(`a hostile CreateToken answer (${hostile.name}) is not used or written: an ended token is one line and quit=1, a valid one still signs`, async (t) => {
    const w = await world(t);
    const token = w.signIn(-1);
    const plan = () => (hostile.answer === 'stall' ? w.center.stall('CreateToken') : w.center.answerNext('CreateToken', hostile.answer));
    plan();
    const before = readFileSync(w.tokenFile, 'utf8');
    const started = Date.now();
    const r = await w.get();
    t.true(Date.now() - started < 30_000, `bounded: ${Date.now() - started} ms`);
    assertQuit(t, r, new RegExp(`^cc-helper: profile "dev" needs an SSO login: run \`aws sso login --profile dev\` and try again \\(the SSO login expired at .*, and refreshing failed: .*${hostile.why.source}`));
    t.is(readFileSync(w.tokenFile, 'utf8'), before);
    for (const secret of [token.refreshToken, token.clientSecret, token.accessToken, 'Atzr|secret-looking']) t.false(r.stderr.includes(secret), 'no secret in the message');

    // The same answer while the token still has minutes: it signs with the current token, and says so.
    writeFileSync(w.tokenFile, JSON.stringify({ ...JSON.parse(before), expiresAt: cliTime(new Date(Date.now() + 4 * 60_000)) }));
    plan();
    const valid = await w.get();
    assertSigned(t, valid, w.center);
    t.regex(valid.stderr, /^cc-helper: profile "dev": could not refresh the SSO login \(.*\); it still serves until .*: run `aws sso login --profile dev` before then\n$/);
    t.false(existsSync(`${w.tokenFile}.tmp`));
  });
}
