// Proxies and CA bundles for every AWS call: the STS stand-in and an SSO portal stand-in behind
// TLS with a throwaway CA (a TLS-inspecting proxy's situation), reached through a loopback
// CONNECT proxy that logs each tunnel. cc-helper's own client (GetSessionToken, AssumeRole), its
// SSO portal call and the SDK's role path (real `cc-helper get`s) go through the proxy and trust
// exactly the CA they are given; NO_PROXY sends them around it; a wrong or missing CA is one
// clear line.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curlStyleNoProxy } from '../src/aws-transport/aws-network.js';
import { createStsClient } from '../src/aws-clients/sts-client.js';
import { startConnectProxy, type ConnectProxy } from '../standins/connect-proxy.js';
import { run } from '../standins/git-env.js';
import { HELPER_BIN, makeAwsHome, request } from '../standins/helper-process.js';
import { startStsStandIn, type StsStandIn } from '../standins/sts-standin.js';
import { makeThrowawayCa, type ThrowawayCa } from '../standins/throwaway-ca.js';
import { startTlsFront, type TlsFront } from '../standins/tls-front.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const STS_HOST = 'sts.example.test';
const PORTAL_HOST = 'portal.example.test';
const USER = { id: 'AKIANETWORKUSER00001', secretAccessKey: 'NeTwOrK/uSeR+sEcReT=000000000000000000000' };
const ROLE_ARN = 'arn:aws:iam::444455556666:role/CodeCommitViaProxy';

interface Net {
  sts: StsStandIn;
  front: TlsFront;
  portal: { server: Server; calls: number };
  portalFront: TlsFront;
  proxy: ConnectProxy;
  ca: ThrowawayCa;
  wrongCa: ThrowawayCa;
  dir: string;
}

let net: Net;

test.before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-helper-net-'));
  const sts = await startStsStandIn({
    keys: { [USER.id]: { secretAccessKey: USER.secretAccessKey, account: '111122223333', userName: 'dev' } },
    roles: { [ROLE_ARN]: { account: '444455556666' } },
  });
  const ca = await makeThrowawayCa(join(dir, 'ca'), [STS_HOST, PORTAL_HOST, 'localhost']);
  const wrongCa = await makeThrowawayCa(join(dir, 'wrong'), [STS_HOST, PORTAL_HOST, 'localhost']);
  const front = await startTlsFront(sts.port, ca);
  // An IAM Identity Center portal: GetRoleCredentials for one account, role and token.
  const portal = { server: createServer(), calls: 0 };
  portal.server.on('request', (req, res) => {
    portal.calls++;
    const url = new URL(req.url ?? '/', 'https://portal');
    const ok = url.pathname === '/federation/credentials' && url.searchParams.get('account_id') === '123456789012' && req.headers['x-amz-sso_bearer_token'] === 'sso-access-token';
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(ok ? JSON.stringify({ roleCredentials: { accessKeyId: 'ASIAVIAPROXYSSO00001', secretAccessKey: 'sso/via/proxy+secret=000000000000000000', sessionToken: 'sso-token', expiration: Date.now() + 3600_000 } }) : '{"message":"no"}');
  });
  await new Promise<void>((ok) => portal.server.listen(0, '127.0.0.1', ok));
  const portalFront = await startTlsFront((portal.server.address() as AddressInfo).port, ca);
  // The proxy tunnels only to the TLS fronts, and only for the made-up hosts.
  const proxy = await startConnectProxy({ routes: (host, port) => (port !== 443 ? undefined : host === STS_HOST ? front.port : host === PORTAL_HOST ? portalFront.port : undefined) });
  net = { sts, front, portal, portalFront, proxy, ca, wrongCa, dir };
});

test.after.always(async () => {
  await net.proxy.close();
  await net.front.close();
  await net.portalFront.close();
  await new Promise((ok) => net.portal.server.close(ok));
  await net.sts.close();
  rmSync(net.dir, { recursive: true, force: true });
});

const viaProxy = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  AWS_ENDPOINT_URL_STS: `https://${STS_HOST}/`,
  HTTPS_PROXY: net.proxy.url,
  AWS_CA_BUNDLE: net.ca.caCertPath,
  ...extra,
});

const client = (env: NodeJS.ProcessEnv, profile?: string) =>
  createStsClient({ region: 'us-east-1', credentials: { accessKeyId: USER.id, secretAccessKey: USER.secretAccessKey }, env, maxAttempts: 1, ...(profile ? { profile } : {}) });

/** `cc-helper --profile NAME get` for a CodeCommit URL, as git runs it. */
const get = (profile: string, env: NodeJS.ProcessEnv) =>
  run(process.execPath, [HELPER_BIN, '--profile', profile, 'get'], { env, input: request({ protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com', path: 'v1/repos/r' }) });

/** The tunnels the proxy opened while `f` ran. */
async function tunnels<T>(f: () => Promise<T>): Promise<{ result: T; connects: string[] }> {
  const before = net.proxy.connects.length;
  const result = await f();
  return { result, connects: net.proxy.connects.slice(before) };
}

test.serial('own client: GetSessionToken and AssumeRole go through HTTPS_PROXY and trust AWS_CA_BUNDLE', async (t) => {
  const session = await tunnels(() => client(viaProxy()).getSessionToken({ durationSeconds: 900 }));
  t.regex(session.result.accessKeyId, /^ASIA/);
  t.deepEqual(session.connects, [`${STS_HOST}:443`]);
  const role = await tunnels(() => client(viaProxy({ HTTPS_PROXY: undefined, https_proxy: net.proxy.url })).assumeRole({ roleArn: ROLE_ARN, roleSessionName: 'proxy-test' }));
  t.regex(role.result.assumedRoleArn, /assumed-role\/CodeCommitViaProxy\/proxy-test$/);
  t.deepEqual(role.connects, [`${STS_HOST}:443`]);
});

test.serial('NO_PROXY sends the call around the proxy: a host, a list, and *', async (t) => {
  for (const noProxy of ['localhost', 'proxy.example,localhost', '*']) {
    const direct = await tunnels(() => client(viaProxy({ AWS_ENDPOINT_URL_STS: `https://localhost:${net.front.port}/`, NO_PROXY: noProxy })).getSessionToken());
    t.regex(direct.result.accessKeyId, /^ASIA/, noProxy);
    t.deepEqual(direct.connects, [], noProxy);
  }
});

test('NO_PROXY is read as curl and the AWS CLI read it, whatever undici\'s own matcher does with bare names', (t) => {
  t.is(curlStyleNoProxy(''), '');
  t.is(curlStyleNoProxy('*'), '*');
  t.is(curlStyleNoProxy('amazonaws.com'), 'amazonaws.com,.amazonaws.com');
  t.is(curlStyleNoProxy(' localhost, .corp.example *.internal  10.0.0.1:8443 '), 'localhost,.localhost,.corp.example,*.internal,10.0.0.1:8443,.10.0.0.1:8443');
});

test.serial('the profile\'s ca_bundle is used when AWS_CA_BUNDLE is not set', async (t) => {
  const home = makeAwsHome({ config: `[profile net]\nca_bundle = ${net.ca.caCertPath}\n` });
  t.teardown(home.cleanup);
  const r = await client({ ...home.env, ...viaProxy({ AWS_CA_BUNDLE: undefined }) }, 'net').getSessionToken();
  t.regex(r.accessKeyId, /^ASIA/);
});

test.serial('a wrong, a missing or a non-PEM CA bundle is one clear line', async (t) => {
  const wrong = await t.throwsAsync(client(viaProxy({ AWS_CA_BUNDLE: net.wrongCa.caCertPath })).getSessionToken());
  t.regex(wrong!.message, /^cannot verify the TLS certificate of STS at https:\/\/sts\.example\.test\/ \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/);
  t.false(wrong!.message.includes('\n'));
  // Without any bundle, Node's own store does not know the throwaway CA either.
  const none = await t.throwsAsync(client(viaProxy({ AWS_CA_BUNDLE: undefined })).getSessionToken());
  t.regex(none!.message, /^cannot verify the TLS certificate of STS/);
  const missing = await t.throwsAsync(client(viaProxy({ AWS_CA_BUNDLE: join(net.dir, 'nope.pem') })).getSessionToken());
  t.is(missing!.message, `cannot use the CA bundle ${join(net.dir, 'nope.pem')} (AWS_CA_BUNDLE): it does not exist; fix the path or unset it`);
  const notPem = join(net.dir, 'not.pem');
  writeFileSync(notPem, 'hello\n');
  const bad = await t.throwsAsync(client(viaProxy({ AWS_CA_BUNDLE: notPem })).getSessionToken());
  t.regex(bad!.message, /holds no PEM certificate/);
});

test.serial('NODE_EXTRA_CA_CERTS: Node\'s own store, extended at start-up, works through the proxy too', async (t) => {
  const script = `import { createStsClient } from ${JSON.stringify(new URL('../src/aws-clients/sts-client.js', import.meta.url).href)};
const c = createStsClient({ region: 'us-east-1', credentials: { accessKeyId: '${USER.id}', secretAccessKey: '${USER.secretAccessKey}' }, env: process.env, maxAttempts: 1 });
const r = await c.getSessionToken(); console.log(r.accessKeyId.slice(0, 4));`;
  const env = { PATH: process.env.PATH, HOME: net.dir, ...viaProxy({ AWS_CA_BUNDLE: undefined, NODE_EXTRA_CA_CERTS: net.ca.caCertPath }) } as NodeJS.ProcessEnv;
  const r = await tunnels(() => run(process.execPath, ['--input-type=module', '-e', script], { env }));
  t.is(r.result.stdout, 'ASIA\n', r.result.stderr);
  t.is(r.result.stderr, '');
  t.deepEqual(r.connects, [`${STS_HOST}:443`]);
});

test.serial('role path: `cc-helper get` for a role profile assumes the role through the proxy, with the profile\'s CA, and stays quiet', async (t) => {
  const home = makeAwsHome({
    credentials: `[dev]\naws_access_key_id = ${USER.id}\naws_secret_access_key = ${USER.secretAccessKey}\n`,
    config: `[profile viaProxy]\nrole_arn = ${ROLE_ARN}\nsource_profile = dev\nregion = us-east-1\nca_bundle = ${net.ca.caCertPath}\n`,
  });
  t.teardown(home.cleanup);
  const env = { ...home.env, AWS_ENDPOINT_URL_STS: `https://${STS_HOST}/`, HTTPS_PROXY: net.proxy.url };
  const before = net.sts.callCount('AssumeRole');
  const r = await tunnels(() => get('viaProxy', env));
  t.is(r.result.code, 0, r.result.stderr);
  t.regex(r.result.stdout, /^username=ASIA[A-Z0-9]+%/m);
  t.is(r.result.stderr, '', 'no warning from undici or the SDK reaches git\'s user');
  t.is(net.sts.callCount('AssumeRole'), before + 1);
  t.deepEqual(r.connects, [`${STS_HOST}:443`]);
  // The same with the wrong CA (and no cached session): one line, nothing on stdout.
  rmSync(join(home.env.HOME!, '.aws', 'cli'), { recursive: true, force: true });
  const wrong = await get('viaProxy', { ...env, AWS_CA_BUNDLE: net.wrongCa.caCertPath });
  t.is(wrong.stdout, 'quit=1\n');
  t.regex(wrong.stderr, /^cc-helper: cannot verify the TLS certificate of STS at https:\/\/sts\.example\.test\/ \([A-Z_]+\).*\n$/);
});

test.serial('SDK role path (credential_source): the SDK\'s STS call goes through the proxy with the profile\'s CA, and stays quiet', async (t) => {
  const home = makeAwsHome({
    config: `[profile viaSdk]\nrole_arn = ${ROLE_ARN}\ncredential_source = Environment\nregion = us-east-1\nca_bundle = ${net.ca.caCertPath}\n`,
  });
  t.teardown(home.cleanup);
  const env = {
    ...home.env,
    AWS_ENDPOINT_URL_STS: `https://${STS_HOST}/`,
    HTTPS_PROXY: net.proxy.url,
    AWS_ACCESS_KEY_ID: USER.id,
    AWS_SECRET_ACCESS_KEY: USER.secretAccessKey,
  };
  const before = net.sts.callCount('AssumeRole');
  const r = await tunnels(() => get('viaSdk', env));
  t.is(r.result.code, 0, r.result.stderr);
  t.regex(r.result.stdout, /^username=ASIA[A-Z0-9]+%/m);
  t.is(r.result.stderr, '', 'no warning from undici or the SDK reaches git\'s user');
  t.is(net.sts.callCount('AssumeRole'), before + 1);
  t.deepEqual(r.connects, [`${STS_HOST}:443`]);
  const wrong = await get('viaSdk', { ...env, AWS_CA_BUNDLE: net.wrongCa.caCertPath });
  t.is(wrong.stdout, 'quit=1\n');
  t.regex(wrong.stderr, /^cc-helper: cannot get credentials for profile "viaSdk" \(role\): the TLS certificate of an AWS endpoint cannot be verified \([A-Z_]+\); behind a TLS-inspecting proxy, point AWS_CA_BUNDLE, .*\n$/);
});

test.serial('SSO path: `cc-helper get` for an SSO profile calls the portal through the proxy with the CA bundle; a wrong CA is one clear line', async (t) => {
  const home = makeAwsHome({
    config:
      '[profile viaSso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = us-east-1\n' +
      '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n',
  });
  t.teardown(home.cleanup);
  const tokenDir = join(home.home, '.aws', 'sso', 'cache');
  mkdirSync(tokenDir, { recursive: true });
  const expiresAt = new Date(Date.now() + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  writeFileSync(join(tokenDir, `${createHash('sha1').update('corp').digest('hex')}.json`), JSON.stringify({ startUrl: 'https://corp.awsapps.com/start', region: 'us-east-1', accessToken: 'sso-access-token', expiresAt }));
  const env = { ...home.env, AWS_ENDPOINT_URL_SSO: `https://${PORTAL_HOST}/`, HTTPS_PROXY: net.proxy.url, AWS_CA_BUNDLE: net.ca.caCertPath };
  const before = net.portal.calls;
  const r = await tunnels(() => get('viaSso', env));
  t.is(r.result.code, 0, r.result.stderr);
  t.regex(r.result.stdout, /^username=ASIAVIAPROXYSSO00001%sso-token$/m);
  t.is(r.result.stderr, '');
  t.is(net.portal.calls, before + 1);
  t.deepEqual(r.connects, [`${PORTAL_HOST}:443`]);
  // The wrong CA (and no cached credentials): one line naming the portal and what to set.
  rmSync(join(home.home, '.aws', 'cli'), { recursive: true, force: true });
  const wrong = await get('viaSso', { ...env, AWS_CA_BUNDLE: net.wrongCa.caCertPath });
  t.is(wrong.stdout, 'quit=1\n');
  t.regex(wrong.stderr, /^cc-helper: cannot verify the TLS certificate of the SSO portal at https:\/\/portal\.example\.test\/ \([A-Z_]+\): behind a TLS-inspecting proxy, point AWS_CA_BUNDLE .* \(now AWS_CA_BUNDLE \(.*wrong\/ca\.pem\)\)\n$/);
});

test.serial('vault sessions: the GetSessionToken that activates a vault-backed profile uses the profile\'s ca_bundle through the proxy', async (t) => {
  const home = makeAwsHome({ credentials: '', config: `[profile viaVault]\nregion = us-east-1\nca_bundle = ${net.ca.caCertPath}\n` });
  t.teardown(home.cleanup);
  const env = { ...home.env, AWS_ENDPOINT_URL_STS: `https://${STS_HOST}/`, HTTPS_PROXY: net.proxy.url, CC_HELPER_VAULT_PASSPHRASE: 'a passphrase for the proxy test' };
  const added = await run(process.execPath, [HELPER_BIN, 'vault', 'add', 'viaVault'], { env, input: `${USER.id}\n${USER.secretAccessKey}\n` });
  t.is(added.code, 0, added.stderr);
  const before = net.sts.callCount('GetSessionToken');
  const r = await tunnels(() => get('viaVault', env));
  t.is(r.result.code, 0, r.result.stderr);
  t.regex(r.result.stdout, /^username=ASIA[A-Z0-9]+%/m);
  t.is(r.result.stderr, '');
  t.is(net.sts.callCount('GetSessionToken'), before + 1);
  t.deepEqual(r.connects, [`${STS_HOST}:443`]);
});

test.serial('a proxy without a scheme (user:password@host:port) is an http:// proxy, as curl and botocore read it; its password is in no trace or message', async (t) => {
  const home = makeAwsHome({
    credentials: `[dev]\naws_access_key_id = ${USER.id}\naws_secret_access_key = ${USER.secretAccessKey}\n`,
    config: `[profile bare]\nrole_arn = ${ROLE_ARN}\nsource_profile = dev\nregion = us-east-1\n`,
  });
  t.teardown(home.cleanup);
  const password = 'Pr0xyS3cretValue';
  const bare = `alice:${password}@127.0.0.1:${net.proxy.port}`;
  const env = { ...home.env, ...viaProxy({ HTTPS_PROXY: bare }), CC_HELPER_DEBUG: '1' };
  const before = net.proxy.authorizations.length;
  const r = await tunnels(() => get('bare', env));
  t.is(r.result.code, 0, r.result.stderr);
  t.regex(r.result.stdout, /^username=ASIA[A-Z0-9]+%/m, r.result.stderr);
  t.deepEqual(r.connects, [`${STS_HOST}:443`], 'the call went through the proxy');
  t.deepEqual(net.proxy.authorizations.slice(before), [`Basic ${Buffer.from(`alice:${password}`).toString('base64')}`], 'with the user and password as Proxy-Authorization');
  t.true(r.result.stderr.includes(`network: proxy http://***@127.0.0.1:${net.proxy.port}`), r.result.stderr);
  t.false(r.result.stderr.includes(password), 'the trace never shows the password');
  t.false(r.result.stderr.includes('alice'), 'nor the user');
});

test.serial('a proxy cc-helper cannot use is one line with quit=1 (not an internal error), and shows no password', async (t) => {
  const home = makeAwsHome({
    credentials: `[dev]\naws_access_key_id = ${USER.id}\naws_secret_access_key = ${USER.secretAccessKey}\n`,
    config: `[profile bad]\nrole_arn = ${ROLE_ARN}\nsource_profile = dev\nregion = us-east-1\n`,
  });
  t.teardown(home.cleanup);
  const cases: Array<[string, RegExp]> = [
    ['socks5://alice:S0cksS3cret@127.0.0.1:1080', /^cc-helper: HTTPS_PROXY names a socks5:\/\/ proxy, which cc-helper cannot send AWS calls through: set an http:\/\/ or https:\/\/ proxy\n$/],
    ['alice:Sl/ashS3cret@127.0.0.1:3128', /^cc-helper: HTTPS_PROXY is not a proxy URL \(\*\*\*@127\.0\.0\.1:3128\): set it to http:\/\/host:port .*\n$/],
  ];
  for (const [proxy, expected] of cases) {
    const r = await get('bad', { ...home.env, ...viaProxy({ HTTPS_PROXY: proxy }), CC_HELPER_DEBUG: '1' });
    t.is(r.stdout, 'quit=1\n', proxy);
    const last = r.stderr.split('\n').filter((l) => l.startsWith('cc-helper: ')).join('\n') + '\n';
    t.regex(last, expected);
    t.false(/S0cksS3cret|ashS3cret|alice/.test(r.stderr), r.stderr);
  }
});

test.serial('an endpoint setting with a password that is no URL is refused without echoing the password', async (t) => {
  const home = makeAwsHome({
    credentials: `[dev]\naws_access_key_id = ${USER.id}\naws_secret_access_key = ${USER.secretAccessKey}\n`,
    config: `[profile ep]\nrole_arn = ${ROLE_ARN}\nsource_profile = dev\nregion = us-east-1\n`,
  });
  t.teardown(home.cleanup);
  const r = await get('ep', { ...home.env, AWS_ENDPOINT_URL_STS: 'https://alice:EndP0intS3cret@sts exa.test/', CC_HELPER_DEBUG: '1' });
  t.is(r.stdout, 'quit=1\n');
  t.regex(r.stderr, /cc-helper: AWS_ENDPOINT_URL_STS is not a URL \("https:\/\/\*\*\*@sts exa\.test\/"\): expected e\.g\. https:\/\/sts\.us-east-1\.amazonaws\.com\n/);
  t.false(/EndP0intS3cret|alice/.test(r.stderr), r.stderr);
});
