// The Identity Center and sign-in stand-ins are only worth what their fidelity is: here they are
// driven by independent clients, the AWS SDK for JavaScript's own providers and botocore 1.43 (the
// pyenv Python's), which must refresh through them, rotate the refresh token and write the cache
// back; and their refusals (a spent refresh token, a forged or replayed DPoP proof) are checked
// against proofs made with real keys. Nothing here imports src/: these are the tests' yardsticks.
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as runProgram } from '../standins/git-env.js';
import { cliTime, ssoTokenCacheName, startIdentityCenterStandIn } from '../standins/identity-center-standin.js';
import { loginCacheName, startSigninStandIn } from '../standins/signin-standin.js';
import { BOTOCORE_PYTHON, botocorePython, needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const ACCOUNT = '111122223333';

function tempHome(t: { teardown: (f: () => void) => void }): string {
  const home = mkdtempSync(join(tmpdir(), 'cc-helper-standins-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

function ssoConfig(home: string): string {
  const file = join(home, 'config');
  writeFileSync(
    file,
    `[profile dev]\nsso_session = corp\nsso_account_id = ${ACCOUNT}\nsso_role_name = Developer\nregion = eu-west-1\n\n` +
      '[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n',
  );
  return file;
}

/** A botocore client is the oracle: the pyenv Python's botocore, with only the variables given (async: the stand-in answers from this process). */
async function botocore(script: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const result = await runProgram(botocorePython()!, ['-c', script], { env: { PATH: process.env.PATH, ...env } });
  return { status: result.code, stdout: result.stdout, stderr: result.stderr };
}

needs(POSIX, BOTOCORE_PYTHON)('identity center: botocore refreshes a token near its end through CreateToken, rotates the refresh token and writes the cache back', async (t) => {
  const center = await startIdentityCenterStandIn({ assignments: { [ACCOUNT]: ['Developer'] } });
  t.teardown(() => center.close());
  const home = tempHome(t);
  const config = ssoConfig(home);
  const token = center.signIn();
  // Inside botocore's 15-minute refresh window (the access token itself is still good).
  const nearEnd = { ...token, expiresAt: cliTime(new Date(Date.now() + 5 * 60_000)) };
  const cacheDir = join(home, '.aws', 'sso', 'cache');
  mkdirSync(cacheDir, { recursive: true });
  const cacheFile = join(cacheDir, ssoTokenCacheName('corp'));
  writeFileSync(cacheFile, JSON.stringify(nearEnd));

  const run = await botocore(
    'import botocore.session, json\n' +
      "c = botocore.session.Session(profile='dev').get_credentials().get_frozen_credentials()\n" +
      "print(json.dumps({'key': c.access_key}))\n",
    { HOME: home, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'), AWS_ENDPOINT_URL_SSO_OIDC: center.url, AWS_ENDPOINT_URL_SSO: center.url, AWS_EC2_METADATA_DISABLED: 'true' },
  );
  t.is(run.status, 0, run.stderr);
  t.is(center.refreshes, 1);
  const issued = center.issuedRoleCredentials();
  t.is(issued.length, 1);
  t.is(JSON.parse(run.stdout).key, issued[0]!.accessKeyId);
  t.is(issued[0]!.accountId, ACCOUNT);
  const written = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, string>;
  t.not(written.accessToken, token.accessToken);
  t.not(written.refreshToken, token.refreshToken, 'the service rotated the refresh token and botocore kept the new one');
  t.is(written.clientSecret, token.clientSecret);
  t.regex(written.expiresAt!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.true(Math.abs(new Date(written.expiresAt!).getTime() - (Date.now() + 3600_000)) < 120_000);

  // The refresh token botocore spent is refused from now on, and presenting it ends the session.
  const replay = await botocore(
    'import botocore.session, json\n' +
      "c = botocore.session.Session(profile='dev').get_credentials().get_frozen_credentials()\n",
    { HOME: home, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'), AWS_ENDPOINT_URL_SSO_OIDC: center.url, AWS_ENDPOINT_URL_SSO: center.url, AWS_EC2_METADATA_DISABLED: 'true', PYTHONWARNINGS: 'ignore' },
  );
  t.is(replay.status, 0, 'the rotated token is far from its end: no refresh, the portal answers');
  writeFileSync(cacheFile, JSON.stringify(nearEnd)); // the old file again: its refresh token is spent
  const stale = await botocore(
    'import botocore.session\n' + "botocore.session.Session(profile='dev').get_credentials().get_frozen_credentials()\n",
    { HOME: home, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'), AWS_ENDPOINT_URL_SSO_OIDC: center.url, AWS_ENDPOINT_URL_SSO: center.url, AWS_EC2_METADATA_DISABLED: 'true' },
  );
  // botocore logs the refused refresh and goes on with the old access token, which the portal no
  // longer takes: reusing a refresh token ended the whole sign-in session.
  t.not(stale.status, 0);
  t.regex(stale.stderr, /UnauthorizedException/);
  t.true(center.log.some((e) => e.operation === 'CreateToken' && e.error === 'InvalidGrantException'));
  t.is(center.log.filter((e) => e.operation === 'GetRoleCredentials' && e.status === 401).length, 1, 'the reuse ended the sign-in session: the portal refuses its tokens');
});

test.serial('identity center: the JS SDK refreshes through CreateToken and reads role credentials from the portal', async (t) => {
  const center = await startIdentityCenterStandIn({ assignments: { [ACCOUNT]: ['Developer'] } });
  t.teardown(() => center.close());
  const home = tempHome(t);
  const config = ssoConfig(home);
  const token = center.signIn();
  const cacheDir = join(home, '.aws', 'sso', 'cache');
  mkdirSync(cacheDir, { recursive: true });
  // Inside the SDK's own 5-minute window.
  writeFileSync(join(cacheDir, ssoTokenCacheName('corp')), JSON.stringify({ ...token, expiresAt: cliTime(new Date(Date.now() + 2 * 60_000)) }));
  const saved = { ...process.env };
  t.teardown(() => {
    process.env = saved;
  });
  Object.assign(process.env, { HOME: home, AWS_ENDPOINT_URL_SSO_OIDC: center.url, AWS_ENDPOINT_URL_SSO: center.url, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  const { fromSSO } = await import('@aws-sdk/credential-providers');
  const credentials = await fromSSO({ profile: 'dev', configFilepath: config, filepath: join(home, 'none'), ignoreCache: true })();
  t.is(center.refreshes, 1);
  t.is(credentials.accessKeyId, center.issuedRoleCredentials()[0]!.accessKeyId);
  const written = JSON.parse(readFileSync(join(cacheDir, ssoTokenCacheName('corp')), 'utf8')) as Record<string, string>;
  t.not(written.refreshToken, token.refreshToken);
});

test('identity center: an ended sign-in session, an expired registration and a wrong client secret are refused as the service refuses them', async (t) => {
  let now = new Date('2027-03-01T08:59:00Z');
  const center = await startIdentityCenterStandIn({ now: () => now });
  t.teardown(() => center.close());
  const createToken = async (body: Record<string, unknown>) => {
    const response = await fetch(`${center.url}token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, type: response.headers.get('x-amzn-errortype'), json: (await response.json()) as Record<string, unknown> };
  };
  const token = center.signIn();
  const refresh = (refreshToken: string, clientSecret = token.clientSecret) => createToken({ grantType: 'refresh_token', clientId: token.clientId, clientSecret, refreshToken });

  t.like(await refresh(token.refreshToken, 'not-the-secret'), { status: 401, type: 'InvalidClientException' });
  now = new Date('2027-03-01T09:50:00Z');
  const first = await refresh(token.refreshToken);
  t.is(first.status, 200);
  t.is(first.json.expiresIn, 3600);
  // 16:59: the next token is cut at the session's end (8 h after 08:59).
  now = new Date('2027-03-01T16:30:00Z');
  const late = await refresh(first.json.refreshToken as string);
  t.is(late.json.expiresIn, 29 * 60);
  now = new Date('2027-03-01T17:00:00Z');
  t.like(await refresh(late.json.refreshToken as string), { status: 400, type: 'InvalidGrantException', json: { error: 'invalid_grant' } });

  const next = center.signIn({ registrationSeconds: 60 });
  now = new Date(now.getTime() + 120_000);
  t.like(await createToken({ grantType: 'refresh_token', clientId: next.clientId, clientSecret: next.clientSecret, refreshToken: next.refreshToken }), { status: 401, type: 'InvalidClientException' });
});

/** A DPoP proof made here, independently of the stand-in and of the SDK. */
function proof(key: KeyObject, claims: Record<string, unknown>, headerOverride: Record<string, unknown> = {}): string {
  const jwk = key.export({ format: 'jwk' });
  const header = { alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, ...headerOverride };
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const message = `${b64(header)}.${b64(claims)}`;
  return `${message}.${sign('sha256', Buffer.from(message), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

test('sign-in: a refresh needs a DPoP proof from the session key, for this method and URL, fresh and never replayed', async (t) => {
  const signin = await startSigninStandIn();
  t.teardown(() => signin.close());
  const login = signin.signIn({ account: ACCOUNT });
  t.is(login.cacheFileName, loginCacheName(`arn:aws:iam::${ACCOUNT}:user/alice`));
  const key = createPrivateKey({ key: login.token.dpopKey, format: 'pem', type: 'sec1' });
  const htu = `${signin.url}v1/token`;
  const iat = () => Math.floor(Date.now() / 1000);
  const post = async (dpop: string | undefined, refreshToken = login.token.refreshToken) => {
    const response = await fetch(htu, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(dpop ? { dpop } : {}) },
      body: JSON.stringify({ clientId: login.token.clientId, grantType: 'refresh_token', refreshToken }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, any>, problem: signin.log.at(-1)?.dpopProblem };
  };
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const claims = () => ({ jti: randomUUID(), htm: 'POST', htu, iat: iat() });

  t.regex((await post(undefined)).problem ?? '', /one DPoP header/);
  t.regex((await post(proof(other, claims()))).problem ?? '', /not made with the key this session is bound to/);
  t.regex((await post(proof(key, { ...claims(), htm: 'GET' }))).problem ?? '', /htm/);
  t.regex((await post(proof(key, { ...claims(), htu: 'https://signin.aws.amazon.com/v1/token' }))).problem ?? '', /htu/);
  t.regex((await post(proof(key, { ...claims(), iat: iat() - 600 }))).problem ?? '', /iat/);
  t.regex((await post(proof(key, claims(), { typ: 'JWT' }))).problem ?? '', /typ/);
  const forged = proof(key, claims()).replace(/\.[^.]+$/, `.${Buffer.alloc(64, 1).toString('base64url')}`);
  t.regex((await post(forged)).problem ?? '', /does not verify/);
  t.is(signin.refreshes, 0, 'no bad proof refreshed anything');

  const good = proof(key, claims());
  const ok = await post(good);
  t.is(ok.status, 200);
  t.is(ok.json.expiresIn, 900);
  t.truthy(ok.json.accessToken.accessKeyId);
  t.not(ok.json.refreshToken, login.token.refreshToken);
  t.regex((await post(good, ok.json.refreshToken)).problem ?? '', /replayed/);
  // The spent refresh token (with a valid new proof) ends the session: even the newest one is refused after.
  t.like(await post(proof(key, claims())), { status: 400, json: { error: 'TOKEN_EXPIRED' } });
  t.like(await post(proof(key, claims()), ok.json.refreshToken), { status: 400, json: { error: 'TOKEN_EXPIRED' } });
  t.is(signin.refreshes, 1);
});

test.serial('sign-in: the JS SDK login provider refreshes through the stand-in with its own DPoP proof and writes the cache back', async (t) => {
  const signin = await startSigninStandIn();
  t.teardown(() => signin.close());
  const home = tempHome(t);
  const login = signin.signIn({ account: ACCOUNT });
  const cacheDir = join(home, 'login-cache');
  mkdirSync(cacheDir, { recursive: true });
  const nearEnd = { ...login.token, accessToken: { ...login.token.accessToken, expiresAt: cliTime(new Date(Date.now() + 60_000)) } };
  writeFileSync(join(cacheDir, login.cacheFileName), JSON.stringify(nearEnd));
  const config = join(home, 'config');
  writeFileSync(config, `[profile console]\nlogin_session = ${login.loginSession}\nregion = us-east-1\n`);
  const saved = { ...process.env };
  t.teardown(() => {
    process.env = saved;
  });
  Object.assign(process.env, { HOME: home, AWS_LOGIN_CACHE_DIRECTORY: cacheDir, AWS_ENDPOINT_URL_SIGNIN: signin.url, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  const { fromLoginCredentials } = await import('@aws-sdk/credential-providers');
  const credentials = await fromLoginCredentials({ profile: 'console', configFilepath: config, filepath: join(home, 'none'), ignoreCache: true })();
  t.is(signin.refreshes, 1, JSON.stringify(signin.log));
  const issued = signin.issuedCredentials().at(-1)!;
  t.is(credentials.accessKeyId, issued.accessKeyId);
  t.is(credentials.accountId, ACCOUNT);
  const written = JSON.parse(readFileSync(join(cacheDir, login.cacheFileName), 'utf8')) as typeof login.token;
  t.is(written.accessToken.accessKeyId, issued.accessKeyId);
  t.not(written.refreshToken, login.token.refreshToken);
  t.is(written.dpopKey, login.token.dpopKey);
});
