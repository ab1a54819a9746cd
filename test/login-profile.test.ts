// `aws login` profiles (login_session) through the built helper, a fresh process per get, real
// files in a temporary HOME, the loopback sign-in stand-in (it verifies each DPoP proof with
// real ES256 and rotates refresh tokens; a spent one ends the session) and the STS stand-in
// (it counts calls and checks signatures). The long day and 16 gets at once are
// test/working-day.test.ts and test/expiry-race.test.ts; here: each rule on its own, and what a
// hostile sign-in answer does.
import type { ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../standins/git-env.js';
import { HELPER_BIN, makeAwsHome, request, runHelper, type AwsHome, type HelperResult } from '../standins/helper-process.js';
import { BOTOCORE_PYTHON, botocorePython, FAKETIME, needs, POSIX } from './support/prerequisites.js';
import { startSigninStandIn, type LoginSignIn, type RawAnswer, type SigninStandIn } from '../standins/signin-standin.js';
import { startStsStandIn, type StsStandIn } from '../standins/sts-standin.js';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const GET = request({ protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com', path: 'v1/repos/demo' });
const test = needs(POSIX);
const withPython = needs(POSIX, BOTOCORE_PYTHON);
const withFaketime = needs(POSIX, FAKETIME);
const cliTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

interface World {
  home: AwsHome;
  signin: SigninStandIn;
  sts: StsStandIn;
  env: NodeJS.ProcessEnv;
  cacheDir: string;
  login: LoginSignIn;
  cacheFile: string;
  /** Writes the cache `aws login` writes, the credentials ending `minutesLeft` from now. */
  write(minutesLeft: number, change?: (token: Record<string, any>) => Record<string, any>): void;
  cache(): Record<string, any>;
  get(args?: string[], extra?: NodeJS.ProcessEnv): Promise<HelperResult>;
}

const loginSection = (name: string, session: string, extra = '') => `[profile ${name}]\nlogin_session = ${session}\nregion = us-east-1\n${extra}`;

async function world(t: ExecutionContext, config?: (session: string) => string, options: { credentials?: string; account?: string } = {}): Promise<World> {
  const signin = await startSigninStandIn();
  const sts = await startStsStandIn();
  const login = signin.signIn({ account: options.account ?? ACCOUNT });
  const home = makeAwsHome({ credentials: options.credentials ?? '', config: (config ?? ((s) => loginSection('console', s)))(login.loginSession) });
  t.teardown(async () => {
    await signin.close();
    await sts.close();
    home.cleanup();
  });
  const cacheDir = join(home.home, '.aws', 'login', 'cache');
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const cacheFile = join(cacheDir, login.cacheFileName);
  const env = { ...home.env, AWS_ENDPOINT_URL_SIGNIN: signin.url, AWS_ENDPOINT_URL_STS: sts.url };
  const w: World = {
    home,
    signin,
    sts,
    env,
    cacheDir,
    login,
    cacheFile,
    write(minutesLeft, change = (token) => token) {
      const token = { ...login.token, accessToken: { ...login.token.accessToken, expiresAt: cliTime(new Date(Date.now() + minutesLeft * 60_000)) } };
      writeFileSync(cacheFile, JSON.stringify(change(token)), { mode: 0o600 });
    },
    cache: () => JSON.parse(readFileSync(cacheFile, 'utf8')),
    get: (args = ['--profile', 'console'], extra = {}) => runHelper([...args, 'get'], GET, { ...env, ...extra }),
  };
  return w;
}

function signedWith(r: HelperResult, key: { accessKeyId: string; sessionToken: string }): boolean {
  return r.code === 0 && r.stdout.startsWith(`username=${key.accessKeyId}%${key.sessionToken}\npassword=`);
}

function assertQuit(t: ExecutionContext, r: HelperResult, message: RegExp) {
  t.is(r.stdout, 'quit=1\n');
  t.is(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
  t.regex(r.stderr, message);
}

/** A preload that records, at exit, whether the cold bundle, an AWS SDK package or node:crypto was loaded. */
function loadProbe(home: string): { env: NodeJS.ProcessEnv; loaded: () => { cold: boolean; sdk: boolean; crypto: boolean } } {
  const out = join(home, 'loaded.json');
  const preload = join(home, 'probe.cjs');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ files: Object.keys(require.cache), builtins: process.moduleLoadList })));\n`,
  );
  return {
    env: { NODE_OPTIONS: `--require ${preload}` },
    loaded: () => {
      const { files, builtins } = JSON.parse(readFileSync(out, 'utf8')) as { files: string[]; builtins: string[] };
      return { cold: files.some((f) => f.endsWith('cc-helper-cold.cjs')), sdk: files.some((f) => f.includes('@aws-sdk') || f.includes('@smithy')), crypto: builtins.includes('NativeModule crypto') };
    },
  };
}

test('warm: fresh cached credentials sign with no network call, no SDK, no cold bundle and no node:crypto', async (t) => {
  const w = await world(t);
  w.write(14);
  const probe = loadProbe(w.home.home);
  const r = await w.get(['--profile', 'console'], probe.env);
  t.true(signedWith(r, w.login.token.accessToken), r.stdout + r.stderr);
  t.is(r.stderr, '');
  t.is(w.signin.calls, 0);
  t.deepEqual(probe.loaded(), { cold: false, sdk: false, crypto: false });
  // And with the sign-in endpoint unreachable: it is never asked.
  const closed = await w.get(['--profile', 'console'], { AWS_ENDPOINT_URL_SIGNIN: 'http://127.0.0.1:9/' });
  t.true(signedWith(closed, w.login.token.accessToken), closed.stderr);
});

withPython('fewer than 5 minutes left: one refresh with a DPoP proof the stand-in verifies; written back as botocore writes it; the rotated refresh token serves the next refresh', async (t) => {
  const w = await world(t);
  w.write(6);
  t.true(signedWith(await w.get(), w.login.token.accessToken));
  t.is(w.signin.calls, 0, '6 minutes left: not yet');
  w.write(4, (token) => ({ ...token, extraKeyTheCliMayAdd: { nested: [1, 'x'] } }));
  const before = w.cache();
  const r = await w.get();
  const issued = w.signin.issuedCredentials().at(-1)!;
  t.true(signedWith(r, issued), r.stdout + r.stderr);
  t.is(r.stderr, '');
  t.is(w.signin.refreshes, 1, JSON.stringify(w.signin.log));
  const written = w.cache();
  t.deepEqual(Object.keys(written), Object.keys(before), 'every key kept, in its place');
  t.deepEqual(Object.keys(written.accessToken), ['accessKeyId', 'secretAccessKey', 'sessionToken', 'accountId', 'expiresAt']);
  t.like(written, { tokenType: before.tokenType, clientId: before.clientId, idToken: before.idToken, dpopKey: before.dpopKey, extraKeyTheCliMayAdd: { nested: [1, 'x'] } });
  t.like(written.accessToken, { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken, accountId: ACCOUNT });
  t.regex(written.accessToken.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.true(Math.abs(new Date(written.accessToken.expiresAt).getTime() - issued.expiration.getTime()) < 2000);
  t.not(written.refreshToken, before.refreshToken);
  const python = execFileSync(botocorePython()!, ['-c', 'import json,sys; sys.stdout.write(json.dumps(json.load(open(sys.argv[1]))))', w.cacheFile], { encoding: 'utf8' });
  t.is(readFileSync(w.cacheFile, 'utf8'), python, "Python's json.dumps form, byte for byte");
  t.is(statSync(w.cacheFile).mode & 0o777, 0o600);
  t.deepEqual(readdirSync(w.cacheDir).filter((f) => f.endsWith('.tmp')), []);

  // The next refresh presents the written-back refresh token: accepted (a spent one would end the session).
  writeFileSync(w.cacheFile, JSON.stringify({ ...written, accessToken: { ...written.accessToken, expiresAt: cliTime(new Date(Date.now() + 60_000)) } }), { mode: 0o600 });
  t.true(signedWith(await w.get(), w.signin.issuedCredentials().at(-1)!));
  t.is(w.signin.refreshes, 2);
  t.false(w.signin.log.some((e) => e.error), JSON.stringify(w.signin.log));
});

withFaketime('under faketime: credentials of 15 minutes are used 9 minutes after aws login and refreshed 11 minutes after', async (t) => {
  const w = await world(t);
  w.write(15);
  let offset = 9 * 60;
  w.signin.now = () => new Date(Date.now() + offset * 1000);
  // FAKETIME_DONT_FAKE_MONOTONIC: Node's timers run on the monotonic clock (see test/aws-cli-oracle.test.ts).
  const at = (seconds: number) => run('/usr/bin/faketime', ['-f', `+${seconds}`, process.execPath, HELPER_BIN, '--profile', 'console', 'get'], { env: { ...w.env, FAKETIME_DONT_FAKE_MONOTONIC: '1' }, input: GET });
  t.true(signedWith(await at(offset), w.login.token.accessToken));
  t.is(w.signin.calls, 0);
  offset = 11 * 60;
  const r = await at(offset);
  t.true(signedWith(r, w.signin.issuedCredentials().at(-1)!), r.stderr + JSON.stringify(w.signin.log));
  t.is(w.signin.refreshes, 1, 'the proof\'s iat is the faked clock\'s, which the stand-in (on the same clock) accepts');
});

for (const [error, why] of [
  ['TOKEN_EXPIRED', /the sign-in session has ended \(TOKEN_EXPIRED\)/],
  ['USER_CREDENTIALS_CHANGED', /the password was changed since `aws login` \(USER_CREDENTIALS_CHANGED\)/],
  ['INSUFFICIENT_PERMISSIONS', /the signed-in identity lacks the permission signin:CreateOAuth2Token \(INSUFFICIENT_PERMISSIONS\): an administrator must grant it/],
] as const) {
  test(`a refused refresh (${error}): ended credentials are one line naming aws login, quit=1, the file untouched; valid ones still sign, with one line`, async (t) => {
    const w = await world(t);
    w.signin.refuseAll(error);
    w.write(-1);
    const before = readFileSync(w.cacheFile, 'utf8');
    const r = await w.get();
    assertQuit(t, r, new RegExp(`^cc-helper: profile "console" needs an \`aws login\`: run \`aws login --profile console\` and try again \\(the credentials of \`aws login\` expired at .*, and refreshing failed: ${why.source}\\)\\n$`));
    t.is(readFileSync(w.cacheFile, 'utf8'), before);
    t.false(r.stderr.includes(w.login.token.refreshToken));

    w.write(3);
    const valid = await w.get();
    t.true(signedWith(valid, w.login.token.accessToken), valid.stderr);
    t.regex(valid.stderr, new RegExp(`^cc-helper: profile "console": could not refresh the credentials of \`aws login\` \\(${why.source}\\); it still serves until .*Z: run \`aws login --profile console\` before then\\n$`));
  });
}

test('the sign-in region: the token\'s signInRegion before AWS_REGION; with none at all, valid credentials still serve and say why they cannot refresh', async (t) => {
  const w = await world(t, (s) => `[profile console]\nlogin_session = ${s}\n`);
  w.write(3);
  const none = await w.get();
  t.true(signedWith(none, w.login.token.accessToken), none.stderr);
  t.regex(none.stderr, /^cc-helper: profile "console": could not refresh the credentials of `aws login` \(the profile has no region, which the refresh needs: set region in the profile \(`aws login` writes it\) or AWS_REGION\); it still serves until .*\n$/);
  t.is(w.signin.calls, 0);
  // The endpoint is overridden (the stand-in takes any region): the trace says which one was used.
  const fromEnv = await w.get(['--debug', '--profile', 'console'], { AWS_REGION: 'eu-west-1' });
  t.true(signedWith(fromEnv, w.signin.issuedCredentials().at(-1)!), fromEnv.stderr);
  t.regex(fromEnv.stderr, /CreateOAuth2Token for profile "console" \(region eu-west-1\)/);
  w.write(3, (token) => ({ ...token, refreshToken: w.cache().refreshToken, signInRegion: 'eu-central-1' }));
  const fromToken = await w.get(['--debug', '--profile', 'console'], { AWS_REGION: 'eu-west-1' });
  t.true(signedWith(fromToken, w.signin.issuedCredentials().at(-1)!), fromToken.stderr);
  t.regex(fromToken.stderr, /CreateOAuth2Token for profile "console" \(region eu-central-1\)/);
  t.is(w.signin.refreshes, 2);
  t.is(w.cache().signInRegion, 'eu-central-1', 'kept');
});

test('a profile with login_session signs with the aws login credentials only: never the config file\'s keys or a credential_process beside it; the credentials file\'s keys come first, as in botocore', async (t) => {
  const marker = 'process-ran';
  const w = await world(t, (s) =>
    loginSection('both', s, 'aws_access_key_id = AKIACONFIGKEYS000001\naws_secret_access_key = config/secret+00000000000000000000000\n') +
      loginSection('proc', s, `credential_process = sh -c 'touch ${marker}; echo {}'\n`) +
      loginSection('creds', s),
    { credentials: '[creds]\naws_access_key_id = AKIACREDENTIALSFILE1\naws_secret_access_key = creds/file+secret00000000000000000000\n' },
  );
  w.write(30);
  const both = await w.get(['--profile', 'both']);
  t.true(signedWith(both, w.login.token.accessToken), both.stdout);
  const proc = await w.get(['--profile', 'proc']);
  t.true(signedWith(proc, w.login.token.accessToken), proc.stdout);
  t.false(existsSync(join(process.cwd(), marker)), 'the credential_process never ran');
  // botocore: the shared credentials file's provider comes before the login provider.
  const creds = await w.get(['--profile', 'creds']);
  t.regex(creds.stdout, /^username=AKIACREDENTIALSFILE1\n/);
});

test('the account pin: the token\'s account (agreeing with the login_session ARN) signs with no STS call; another pin is refused; a token naming another account is not used', async (t) => {
  const w = await world(t);
  w.write(30);
  const pinned = await w.get(['--profile', 'console', '--account', ACCOUNT]);
  t.true(signedWith(pinned, w.login.token.accessToken), pinned.stderr);
  t.is(w.sts.callCount(), 0, 'no GetCallerIdentity');
  const elsewhere = await w.get(['--profile', 'console', '--account', OTHER]);
  assertQuit(t, elsewhere, new RegExp(`belongs to account ${ACCOUNT}, but this helper line is pinned to account ${OTHER}`));
  t.is(w.sts.callCount(), 0);

  w.write(30, (token) => ({ ...token, accessToken: { ...token.accessToken, accountId: OTHER } }));
  const forged = await w.get();
  assertQuit(t, forged, new RegExp(`needs an \`aws login\`: run \`aws login --profile console\` and try again \\(the aws login cache .* holds credentials of account ${OTHER}, not of ${ACCOUNT}, the account of login_session arn:aws:iam::${ACCOUNT}:user/alice\\)`));
  t.is(w.signin.calls, 0);
});

test('a role whose source_profile is an aws login profile assumes the role with the login credentials', async (t) => {
  const roleArn = `arn:aws:iam::${OTHER}:role/Push`;
  const w = await world(t, (s) => loginSection('console', s) + `[profile push]\nrole_arn = ${roleArn}\nsource_profile = console\nrole_session_name = push\nregion = us-east-1\n`);
  w.write(30);
  w.sts.roles[roleArn] = { account: OTHER };
  w.sts.addSession({ ...w.login.token.accessToken, expiration: new Date(Date.now() + 30 * 60_000) }, `arn:aws:iam::${ACCOUNT}:role/LoginStandsIn`);
  const r = await w.get(['--profile', 'push']);
  const assumed = w.sts.issuedCredentials().find((c) => c.roleArn === roleArn);
  t.truthy(assumed, r.stderr);
  t.is(assumed!.issuedTo, w.login.token.accessToken.accessKeyId);
  t.true(signedWith(r, assumed!), r.stderr);
});

test('AWS_LOGIN_CACHE_DIRECTORY (with $VARS and ~ expanded, as botocore does) is where the cache is; an untrusted cache file is refused in one line', async (t) => {
  const w = await world(t);
  const elsewhere = join(w.home.home, 'logins');
  mkdirSync(elsewhere, { mode: 0o700 });
  w.write(30);
  writeFileSync(join(elsewhere, w.login.cacheFileName), readFileSync(w.cacheFile), { mode: 0o600 });
  writeFileSync(w.cacheFile, 'not the one used');
  const r = await w.get(['--profile', 'console'], { AWS_LOGIN_CACHE_DIRECTORY: '$HOME/logins', CC_HOME_PART: 'x' });
  t.true(signedWith(r, w.login.token.accessToken), r.stderr);
  const tilde = await w.get(['--profile', 'console'], { AWS_LOGIN_CACHE_DIRECTORY: '~/logins' });
  t.true(signedWith(tilde, w.login.token.accessToken), tilde.stderr);
  chmodSync(join(elsewhere, w.login.cacheFileName), 0o666);
  const open = await w.get(['--profile', 'console'], { AWS_LOGIN_CACHE_DIRECTORY: elsewhere });
  assertQuit(t, open, /needs an `aws login`: run `aws login --profile console` and try again \(not using the aws login cache .*, which .*writ/);
});

test('no cache at all, one without a refresh token, one with a line break in a token, or a key that is no P-256 key: one line naming aws login', async (t) => {
  const w = await world(t);
  assertQuit(t, await w.get(), /^cc-helper: profile "console" needs an `aws login`: run `aws login --profile console` and try again \(there is no aws login session for arn:aws:iam::111122223333:user\/alice in .*\)\n$/);
  w.write(30, ({ refreshToken: _, ...rest }) => rest);
  assertQuit(t, await w.get(), /the aws login cache .* has no refreshToken/);
  // A line break inside a cached token would split git's answer: the file is not used.
  w.write(30, (token) => ({ ...token, accessToken: { ...token.accessToken, sessionToken: 'Fwo\npassword=evil' } }));
  const split = await w.get();
  assertQuit(t, split, /the aws login cache .* holds no readable credentials/);
  t.false(split.stdout.includes('evil'));
  w.write(-1, (token) => ({ ...token, dpopKey: '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n' }));
  assertQuit(t, await w.get(), /expired at .*, and cannot be refreshed: its DPoP key \(dpopKey\) is not an EC private key in PEM\)/);
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ format: 'pem', type: 'sec1' }) as string;
  w.write(-1, (token) => ({ ...token, dpopKey: p384 }));
  assertQuit(t, await w.get(), /expired at .*, and cannot be refreshed: its DPoP key \(dpopKey\) is not a P-256 key\)/);
  t.is(w.signin.calls, 0);
});

/** Hostile CreateOAuth2Token answers: none may be used, none written, each costs bounded time. */
const credentialsOf = (patch: Record<string, unknown>) =>
  JSON.stringify({ accessToken: { accessKeyId: 'ASIANEWLOGINKEY00001', secretAccessKey: 'new/secret+000000000000000000000000000', sessionToken: 'newSessionToken0000' }, tokenType: 'aws_sigv4', expiresIn: 900, refreshToken: 'signin.rt.new', idToken: 'x', ...patch });
const HOSTILE: Array<{ name: string; answer: RawAnswer | 'stall'; why: RegExp }> = [
  { name: 'garbage', answer: { status: 200, body: '<html>not the service</html>' }, why: /an answer that is not the service's \(HTTP 200\)/ },
  { name: 'huge', answer: { status: 200, body: credentialsOf({ idToken: 'x'.repeat(400_000) }), chunked: true }, why: /an answer larger than 262144 bytes/ },
  { name: 'slow', answer: 'stall', why: /no answer within \d+ s/ },
  { name: 'expired credentials', answer: { status: 200, body: credentialsOf({ expiresIn: -60 }) }, why: /with credentials that last -60 s; not used/ },
  { name: 'a line break inside a token', answer: { status: 200, body: credentialsOf({ accessToken: { accessKeyId: 'ASIANEWLOGINKEY00001', secretAccessKey: 'new/secret', sessionToken: 'line\nbreak' } }) }, why: /holding characters no AWS credential has/ },
  { name: 'a missing field', answer: { status: 200, body: credentialsOf({ refreshToken: undefined }) }, why: /without the credentials, refresh token and lifetime a refresh returns/ },
  { name: 'an unknown refusal', answer: { status: 400, body: '{"error":"INVALID_DPOP_PROOF","message":"signin.rt.secret-looking"}', headers: { 'x-amzn-errortype': 'AccessDeniedException' } }, why: /refused the refresh \(AccessDeniedException: INVALID_DPOP_PROOF\)/ },
];

for (const hostile of HOSTILE) {
  test(`a hostile CreateOAuth2Token answer (${hostile.name}) is not used or written: ended credentials are one line and quit=1, valid ones still sign`, async (t) => {
    const w = await world(t);
    const plan = () => (hostile.answer === 'stall' ? w.signin.stall() : w.signin.answerNext(hostile.answer));
    w.write(-1);
    plan();
    const before = readFileSync(w.cacheFile, 'utf8');
    const started = Date.now();
    const r = await w.get();
    t.true(Date.now() - started < 30_000, `bounded: ${Date.now() - started} ms`);
    assertQuit(t, r, new RegExp(`^cc-helper: profile "console" needs an \`aws login\`: run \`aws login --profile console\` and try again \\(the credentials of \`aws login\` expired at .*, and refreshing failed: .*${hostile.why.source}`));
    t.is(readFileSync(w.cacheFile, 'utf8'), before);
    for (const secret of [w.login.token.refreshToken, w.login.token.accessToken.secretAccessKey, 'signin.rt.secret-looking', 'signin.rt.new', 'BEGIN EC']) t.false(r.stderr.includes(secret), 'no secret in the message');

    w.write(4);
    plan();
    const valid = await w.get();
    t.true(signedWith(valid, w.login.token.accessToken), valid.stderr);
    t.regex(valid.stderr, /^cc-helper: profile "console": could not refresh the credentials of `aws login` \(.*\); it still serves until .*: run `aws login --profile console` before then\n$/);
  });
}
