// The refreshes cross the network as every other AWS call does: SSO OIDC, the SSO portal and the
// sign-in service each behind TLS with a throwaway CA (a TLS-inspecting proxy's situation),
// reached through a loopback CONNECT proxy that logs each tunnel; the SDK's nested clients must
// take HTTPS_PROXY and AWS_CA_BUNDLE, a wrong CA is one clear line, and `--debug` shows no secret
// of the exchange (refresh tokens, client secrets, access tokens, the DPoP key, the keys).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConnectProxy, type ConnectProxy } from '../standins/connect-proxy.js';
import { makeAwsHome, request, runHelper } from '../standins/helper-process.js';
import { cliTime, ssoTokenCacheName, startIdentityCenterStandIn, type IdentityCenterStandIn } from '../standins/identity-center-standin.js';
import { needs, OPENSSL, POSIX } from './support/prerequisites.js';
import { startSigninStandIn, type SigninStandIn } from '../standins/signin-standin.js';
import { makeThrowawayCa, type ThrowawayCa } from '../standins/throwaway-ca.js';
import { startTlsFront, type TlsFront } from '../standins/tls-front.js';

const test = needs(POSIX, OPENSSL);

const OIDC_HOST = 'oidc.example.test';
const PORTAL_HOST = 'portal.example.test';
const SIGNIN_HOST = 'signin.example.test';
const GET = request({ protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com', path: 'v1/repos/r' });

interface Net {
  center: IdentityCenterStandIn;
  signin: SigninStandIn;
  fronts: TlsFront[];
  proxy: ConnectProxy;
  ca: ThrowawayCa;
  wrongCa: ThrowawayCa;
  dir: string;
}
let net: Net;

test.before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-helper-signin-net-'));
  const center = await startIdentityCenterStandIn();
  const signin = await startSigninStandIn({ acceptedHtu: [`https://${SIGNIN_HOST}/v1/token`] });
  const ca = await makeThrowawayCa(join(dir, 'ca'), [OIDC_HOST, PORTAL_HOST, SIGNIN_HOST]);
  const wrongCa = await makeThrowawayCa(join(dir, 'wrong'), [OIDC_HOST, PORTAL_HOST, SIGNIN_HOST]);
  const centerFront = await startTlsFront(center.port, ca);
  const signinFront = await startTlsFront(signin.port, ca);
  const proxy = await startConnectProxy({
    routes: (host, port) => (port !== 443 ? undefined : host === OIDC_HOST || host === PORTAL_HOST ? centerFront.port : host === SIGNIN_HOST ? signinFront.port : undefined),
  });
  net = { center, signin, fronts: [centerFront, signinFront], proxy, ca, wrongCa, dir };
});

test.after.always(async () => {
  await net.proxy.close();
  for (const front of net.fronts) await front.close();
  await net.center.close();
  await net.signin.close();
  rmSync(net.dir, { recursive: true, force: true });
});

async function tunnels<T>(f: () => Promise<T>): Promise<{ result: T; connects: string[] }> {
  const before = net.proxy.connects.length;
  const result = await f();
  return { result, connects: net.proxy.connects.slice(before) };
}

test.serial('SSO: the token refresh (CreateToken) and the portal go through HTTPS_PROXY with AWS_CA_BUNDLE; --debug shows no secret; a wrong CA is one line', async (t) => {
  const home = makeAwsHome({
    credentials: '',
    config: '[profile viaSso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = us-east-1\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n',
  });
  t.teardown(home.cleanup);
  const dir = join(home.home, '.aws', 'sso', 'cache');
  mkdirSync(dir, { recursive: true });
  const token = net.center.signIn();
  const write = () => writeFileSync(join(dir, ssoTokenCacheName('corp')), JSON.stringify({ ...token, expiresAt: cliTime(new Date(Date.now() - 60_000)) }), { mode: 0o600 });
  write();
  const env = { ...home.env, AWS_ENDPOINT_URL_SSO_OIDC: `https://${OIDC_HOST}/`, AWS_ENDPOINT_URL_SSO: `https://${PORTAL_HOST}/`, HTTPS_PROXY: net.proxy.url, AWS_CA_BUNDLE: net.ca.caCertPath };
  const before = net.center.refreshes;
  const r = await tunnels(() => runHelper(['--debug', '--profile', 'viaSso', 'get'], GET, env));
  t.is(r.result.code, 0, r.result.stderr);
  t.regex(r.result.stdout, /^username=ASIA/);
  t.is(net.center.refreshes, before + 1);
  t.deepEqual(r.connects, [`${OIDC_HOST}:443`, `${PORTAL_HOST}:443`]);
  const issued = net.center.issuedRoleCredentials().at(-1)!;
  const { readFileSync } = await import('node:fs');
  const written = JSON.parse(readFileSync(join(dir, ssoTokenCacheName('corp')), 'utf8')) as Record<string, string>;
  for (const secret of [token.refreshToken, token.clientSecret, token.accessToken, written.accessToken!, written.refreshToken!, issued.secretAccessKey, issued.sessionToken]) {
    t.false(r.result.stderr.includes(secret), 'a secret in the trace');
  }
  t.regex(r.result.stderr, /refreshing/);

  // The wrong CA, an expired token, no cached role credentials: one line naming the TLS problem.
  rmSync(join(home.home, '.aws', 'cli'), { recursive: true, force: true });
  write();
  const wrong = await runHelper(['--profile', 'viaSso', 'get'], GET, { ...env, AWS_CA_BUNDLE: net.wrongCa.caCertPath });
  t.is(wrong.stdout, 'quit=1\n');
  t.regex(wrong.stderr, /^cc-helper: profile "viaSso" needs an SSO login: run `aws sso login --profile viaSso` and try again \(the SSO login expired at .*, and refreshing failed: SSO OIDC at https:\/\/oidc\.example\.test\/: its TLS certificate cannot be verified \([A-Z_]+\): behind a TLS-inspecting proxy, point AWS_CA_BUNDLE .*\)\n$/);
});

test.serial('aws login: CreateOAuth2Token goes through HTTPS_PROXY with AWS_CA_BUNDLE, its DPoP proof naming the URL as sent; --debug shows no secret; a wrong CA is one line', async (t) => {
  const login = net.signin.signIn();
  const home = makeAwsHome({ credentials: '', config: `[profile viaLogin]\nlogin_session = ${login.loginSession}\nregion = us-east-1\n` });
  t.teardown(home.cleanup);
  const dir = join(home.home, '.aws', 'login', 'cache');
  mkdirSync(dir, { recursive: true });
  const write = () => writeFileSync(join(dir, login.cacheFileName), JSON.stringify({ ...login.token, accessToken: { ...login.token.accessToken, expiresAt: cliTime(new Date(Date.now() - 60_000)) } }), { mode: 0o600 });
  write();
  const env = { ...home.env, AWS_ENDPOINT_URL_SIGNIN: `https://${SIGNIN_HOST}/`, HTTPS_PROXY: net.proxy.url, AWS_CA_BUNDLE: net.ca.caCertPath };
  const before = net.signin.refreshes;
  const r = await tunnels(() => runHelper(['--debug', '--profile', 'viaLogin', 'get'], GET, env));
  t.is(r.result.code, 0, r.result.stderr + JSON.stringify(net.signin.log.at(-1)));
  t.is(net.signin.refreshes, before + 1);
  t.deepEqual(r.connects, [`${SIGNIN_HOST}:443`]);
  const issued = net.signin.issuedCredentials().at(-1)!;
  t.true(r.result.stdout.startsWith(`username=${issued.accessKeyId}%`));
  const pemBody = login.token.dpopKey.split('\n')[1]!;
  for (const secret of [login.token.refreshToken, login.token.accessToken.secretAccessKey, login.token.accessToken.sessionToken, pemBody, issued.secretAccessKey, issued.sessionToken, 'PRIVATE KEY']) {
    t.false(r.result.stderr.includes(secret), 'a secret in the trace');
  }

  write();
  const wrong = await runHelper(['--profile', 'viaLogin', 'get'], GET, { ...env, AWS_CA_BUNDLE: net.wrongCa.caCertPath });
  t.is(wrong.stdout, 'quit=1\n');
  t.regex(wrong.stderr, /^cc-helper: profile "viaLogin" needs an `aws login`: run `aws login --profile viaLogin` and try again \(.*refreshing failed: the sign-in service at https:\/\/signin\.example\.test\/: its TLS certificate cannot be verified \([A-Z_]+\).*\)\n$/);
});
