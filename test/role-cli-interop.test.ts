// The AWS CLI's cache, both ways, with the real Debian AWS CLI v2 (/usr/bin/aws): a role session
// cc-helper started serves the CLI without an STS call, and one the CLI started serves cc-helper
// without an STS call or a prompt. The CLI 2.9 ignores AWS_ENDPOINT_URL_STS, so it reaches the
// STS stand-in the way it would reach AWS: HTTPS to sts.us-east-1.amazonaws.com, through a
// loopback CONNECT proxy (HTTPS_PROXY) that only ever dials 127.0.0.1, to a TLS front with a
// throwaway CA's certificate (AWS_CA_BUNDLE), spliced to the stand-in. Nothing leaves the machine.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { routeHostsTo, startConnectProxy } from '../standins/connect-proxy.js';
import { run } from '../standins/git-env.js';
import { makeAwsHome, request, runHelper } from '../standins/helper-process.js';
import { startStsStandIn } from '../standins/sts-standin.js';
import { makeThrowawayCa } from '../standins/throwaway-ca.js';
import { AWS_CLI_V2, needs, SETSID } from './support/prerequisites.js';

const test = needs(AWS_CLI_V2, SETSID);

const AWS_CLI = '/usr/bin/aws'; // not `which aws`: a pyenv shim may come first
const STS_HOST = 'sts.us-east-1.amazonaws.com';
const USER = { accessKeyId: 'AKIAINTEROPUSER00001', secretAccessKey: 'InTeRoP/SeCrEt+KeY=00000000000000000000' };
const MFA_SERIAL = 'arn:aws:iam::111122223333:mfa/dev';
const GET = request({ protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com', path: 'v1/repos/demo' });

test('role sessions cross between cc-helper and the AWS CLI through ~/.aws/cli/cache, with one STS call and one code each', async (t) => {
  const roles = { fromHelper: 'arn:aws:iam::444455556666:role/Push', fromCli: 'arn:aws:iam::555566667777:role/Push' };
  const section = (name: string, arn: string) => `[profile ${name}]\nrole_arn = ${arn}\nsource_profile = dev\nmfa_serial = ${MFA_SERIAL}\nregion = us-east-1\n`;
  const home = makeAwsHome({
    credentials: `[dev]\naws_access_key_id = ${USER.accessKeyId}\naws_secret_access_key = ${USER.secretAccessKey}\n`,
    config: section('helper-first', roles.fromHelper) + section('cli-first', roles.fromCli),
  });
  const sts = await startStsStandIn({
    keys: { [USER.accessKeyId]: { secretAccessKey: USER.secretAccessKey, account: '111122223333', userName: 'dev', mfaSerial: MFA_SERIAL, validCodes: ['111111', '222222'] } },
    roles: { [roles.fromHelper]: { account: '444455556666', requiresMfa: true }, [roles.fromCli]: { account: '555566667777', requiresMfa: true } },
  });
  const ca = await makeThrowawayCa(join(home.home, 'ca'), [STS_HOST]);
  const sockets = new Set<Socket>();
  const front = createTlsServer({ cert: ca.certPem, key: ca.keyPem }, (tls) => {
    const plain = connect({ host: '127.0.0.1', port: sts.port });
    for (const s of [tls, plain] as Socket[]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    tls.pipe(plain).pipe(tls);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const proxy = await startConnectProxy({ routes: routeHostsTo((front.address() as AddressInfo).port, [STS_HOST]) });
  t.teardown(async () => {
    await proxy.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => front.close(() => resolve()));
    await sts.close();
    home.cleanup();
  });
  const cli = (args: string[], input = '') =>
    run('setsid', ['-w', AWS_CLI, ...args], {
      // setsid: no controlling terminal, so the CLI reads the MFA code from stdin, as in a pipe.
      env: { ...home.env, HTTPS_PROXY: proxy.url, AWS_CA_BUNDLE: ca.caCertPath, AWS_PAGER: '', AWS_RETRY_MODE: 'standard', AWS_MAX_ATTEMPTS: '1' },
      input,
      timeoutMs: 120_000,
    });

  // 1. cc-helper starts the session (one code, through CC_HELPER_MFA_COMMAND; the CLI's way:
  //    the code straight into AssumeRole); the CLI then answers from the cache alone.
  const helperEnv = { ...home.env, AWS_ENDPOINT_URL_STS: sts.url, CC_HELPER_MFA_SESSION_SECONDS: '0' };
  const first = await runHelper(['--profile', 'helper-first', 'get'], GET, { ...helperEnv, CC_HELPER_MFA_COMMAND: 'echo 111111; :' });
  t.is(first.code, 0, first.stderr);
  t.is(sts.callCount('AssumeRole'), 1);
  const helperRole = sts.issuedCredentials()[0]!;
  const exported = await cli(['configure', 'export-credentials', '--profile', 'helper-first', '--format', 'process']);
  t.is(exported.code, 0, exported.stderr);
  t.is((JSON.parse(exported.stdout) as { AccessKeyId: string }).AccessKeyId, helperRole.accessKeyId, 'the CLI found the file at the key it computes');
  const whoami = await cli(['sts', 'get-caller-identity', '--profile', 'helper-first', '--output', 'json']);
  t.is(whoami.code, 0, whoami.stderr);
  t.is((JSON.parse(whoami.stdout) as { Arn: string }).Arn, helperRole.arn, 'the CLI signed with the role session cc-helper cached');
  t.is(sts.callCount('AssumeRole'), 1, 'the CLI made no AssumeRole call and asked for no code');

  // 2. The CLI starts a session (its MFA prompt reads stdin); cc-helper uses it with no STS
  //    call and no way to prompt at all.
  const cliFirst = await cli(['sts', 'get-caller-identity', '--profile', 'cli-first', '--output', 'json'], '222222\n');
  t.is(cliFirst.code, 0, cliFirst.stderr);
  t.is(sts.callCount('AssumeRole'), 2);
  const cliRole = sts.issuedCredentials().find((c) => c.roleArn === roles.fromCli)!;
  const reused = await runHelper(['--profile', 'cli-first', 'get'], GET, { ...helperEnv, GIT_TERMINAL_PROMPT: '0' });
  t.true(reused.stdout.startsWith(`username=${cliRole.accessKeyId}%${cliRole.sessionToken}\n`), reused.stderr);
  t.is(sts.callCount('AssumeRole'), 2, 'cc-helper made no STS call');
  t.true(proxy.connects.includes(`${STS_HOST}:443`), 'the CLI reached STS the way it reaches AWS');
  t.deepEqual(proxy.refused, [], 'nothing tried to leave the machine');
  t.is(readdirSync(join(home.home, '.aws', 'cli', 'cache')).filter((f) => f.endsWith('.json')).length, 2);
});

test('an SSO session cc-helper fetched from the portal serves the AWS CLI from ~/.aws/cli/cache', async (t) => {
  const home = makeAwsHome({
    config:
      '[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = us-east-1\n' +
      '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n',
  });
  t.teardown(home.cleanup);
  const portal = await startPortal();
  t.teardown(portal.close);
  const tokenDir = join(home.home, '.aws', 'sso', 'cache');
  mkdirSync(tokenDir, { recursive: true });
  const tokenFile = join(tokenDir, `${createHash('sha1').update('corp').digest('hex')}.json`);
  const writeToken = (expiresAt: Date) =>
    writeFileSync(tokenFile, JSON.stringify({ startUrl: 'https://corp.awsapps.com/start', region: 'us-east-1', accessToken: 'sso-access-token', expiresAt: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z') }));
  const env = { ...home.env, AWS_ENDPOINT_URL_SSO: portal.url };

  writeToken(new Date(Date.now() - 60_000));
  const expired = await runHelper(['--profile', 'sso', 'get'], GET, env);
  t.is(expired.stdout, 'quit=1\n');
  t.regex(expired.stderr, /^cc-helper: profile "sso" needs an SSO login: run `aws sso login --profile sso` and try again \(the SSO login expired at .*\)\n$/);
  t.is(portal.calls, 0);

  writeToken(new Date(Date.now() + 8 * 3600_000));
  for (let i = 0; i < 5; i++) {
    const r = await runHelper(['--profile', 'sso', 'get'], GET, env);
    t.true(r.stdout.startsWith('username=ASIASSOPORTAL00000001%sso/session+token=\n'), r.stderr);
  }
  t.is(portal.calls, 1, 'one portal call for five gets');
  t.deepEqual(portal.tokens, ['sso-access-token']);
  const cacheDir = join(home.home, '.aws', 'cli', 'cache');
  const files = existsSync(cacheDir) ? readdirSync(cacheDir) : [];
  t.is(files.length, 1);
  t.is((JSON.parse(readFileSync(join(cacheDir, files[0]!), 'utf8')) as { ProviderType: string }).ProviderType, 'sso');

  // The CLI (which would call the real portal: unreachable here) answers from that file.
  const exported = await run(AWS_CLI, ['configure', 'export-credentials', '--profile', 'sso', '--format', 'process'], {
    env: { ...home.env, HTTPS_PROXY: 'http://127.0.0.1:9' },
    timeoutMs: 120_000,
  });
  t.is(exported.code, 0, exported.stderr);
  t.is((JSON.parse(exported.stdout) as { AccessKeyId: string }).AccessKeyId, 'ASIASSOPORTAL00000001');
});

/** A loopback IAM Identity Center portal: GetRoleCredentials only. */
async function startPortal(): Promise<{ url: string; calls: number; tokens: string[]; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const state = { url: '', calls: 0, tokens: [] as string[], close: async () => {} };
  const server = createServer((req, res) => {
    state.calls++;
    const url = new URL(req.url ?? '/', 'http://portal');
    const token = req.headers['x-amz-sso_bearer_token'];
    if (typeof token === 'string') state.tokens.push(token);
    if (url.pathname !== '/federation/credentials' || url.searchParams.get('account_id') !== '123456789012' || url.searchParams.get('role_name') !== 'Developer' || token !== 'sso-access-token') {
      res.writeHead(401, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnauthorizedException' });
      res.end('{"message":"Session token not found or invalid"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ roleCredentials: { accessKeyId: 'ASIASSOPORTAL00000001', secretAccessKey: 'sso/secret+key=000000000000000000000000', sessionToken: 'sso/session+token=', expiration: Date.now() + 3600_000 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
