// The account pin against the credentials that actually sign, whatever their source (issue 21,
// item 3 and the rule in src/account/account-pin.ts), written as an attacker would: a role cache
// holding another account's keys, an SSO cache naming another account, a vault profile's section
// whose keys another tool replaced. Real parts: the built helper run as git runs it, the loopback
// STS stand-in (checking every signature and answering GetCallerIdentity for the keys it issued,
// which is how these tests know whose keys are whose), a loopback SSO portal, real files.
import type { ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assumeRoleCacheKey, ssoRoleCacheKey } from '../src/aws-files/cli-cache.js';
import { createStsClient } from '../src/aws-clients/sts-client.js';
import { makeAwsHome, request, runHelper, type AwsHome, type HelperResult } from '../standins/helper-process.js';
import { startStsStandIn, type StsStandIn } from '../standins/sts-standin.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const ACCOUNT = '111122223333';
const OTHER = '999988887777';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Push`;
const OTHER_ROLE = `arn:aws:iam::${OTHER}:role/Push`;
/** An IAM user in a third account, trusted by both roles (a consultancy's own user). */
const DEV = { accessKeyId: 'AKIAPINSOURCESDEV001', secretAccessKey: 'PiN/SoUrCeS+DeV=00000000000000000000000' };
/** A user of the pinned account, and one of the other account. */
const MINE = { accessKeyId: 'AKIAPINSOURCESMINE01', secretAccessKey: 'PiN/SoUrCeS+MiNe=0000000000000000000000' };
const THEIRS = { accessKeyId: 'AKIAPINSOURCESTHEIR1', secretAccessKey: 'PiN/SoUrCeS+ThEiRs=00000000000000000000' };
const GET = request({ protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com', path: 'v1/repos/demo' });
const CONFIG =
  `[profile pushrole]\nrole_arn = ${ROLE}\nsource_profile = dev\nrole_session_name = pin\nregion = us-east-1\n` +
  `[profile sso]\nsso_session = corp\nsso_account_id = ${ACCOUNT}\nsso_role_name = Developer\nregion = us-east-1\n` +
  '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n';

interface World {
  home: AwsHome;
  sts: StsStandIn;
  env: NodeJS.ProcessEnv;
  get(args: string[], extra?: NodeJS.ProcessEnv): Promise<HelperResult>;
  /** The account STS says these keys belong to (the oracle). */
  accountOf(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<string>;
  /** Temporary credentials of `roleArn`, from STS, as another tool would have got them. */
  sessionOf(roleArn: string): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date; assumedRoleArn: string }>;
}

async function world(t: ExecutionContext): Promise<World> {
  const home = makeAwsHome({
    credentials:
      `[dev]\naws_access_key_id = ${DEV.accessKeyId}\naws_secret_access_key = ${DEV.secretAccessKey}\n` +
      `[mine]\naws_access_key_id = ${MINE.accessKeyId}\naws_secret_access_key = ${MINE.secretAccessKey}\n` +
      `[theirs]\naws_access_key_id = ${THEIRS.accessKeyId}\naws_secret_access_key = ${THEIRS.secretAccessKey}\n`,
    config: CONFIG,
  });
  const sts = await startStsStandIn({
    keys: {
      [DEV.accessKeyId]: { secretAccessKey: DEV.secretAccessKey, account: '555544443333', userName: 'dev' },
      [MINE.accessKeyId]: { secretAccessKey: MINE.secretAccessKey, account: ACCOUNT, userName: 'mine' },
      [THEIRS.accessKeyId]: { secretAccessKey: THEIRS.secretAccessKey, account: OTHER, userName: 'theirs' },
    },
    roles: { [ROLE]: { account: ACCOUNT }, [OTHER_ROLE]: { account: OTHER } },
  });
  t.teardown(async () => {
    await sts.close();
    home.cleanup();
  });
  const env: NodeJS.ProcessEnv = { ...home.env, AWS_ENDPOINT_URL_STS: sts.url, CC_HELPER_VAULT_PASSPHRASE: 'pin sources passphrase' };
  const client = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => createStsClient({ region: 'us-east-1', credentials, env, maxAttempts: 1 });
  return {
    home,
    sts,
    env,
    get: (args, extra = {}) => runHelper([...args, 'get'], GET, { ...env, ...extra }),
    accountOf: async (credentials) => (await client(credentials).getCallerIdentity()).account,
    sessionOf: (roleArn) => client(DEV).assumeRole({ roleArn, roleSessionName: 'another-tool' }),
  };
}

function usernameKey(result: HelperResult): string | undefined {
  return /^username=([A-Z0-9]+)/m.exec(result.stdout)?.[1];
}

function assertRefused(t: ExecutionContext, result: HelperResult, why: RegExp): void {
  t.is(result.stdout, 'quit=1\n', result.stderr);
  const lines = result.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, result.stderr);
  t.regex(lines[0]!, why);
}

function roleCacheFile(home: AwsHome): string {
  return join(home.home, '.aws', 'cli', 'cache', `${assumeRoleCacheKey({ RoleArn: ROLE, RoleSessionName: 'pin' })}.json`);
}

function writeRoleCache(home: AwsHome, contents: unknown): void {
  mkdirSync(join(home.home, '.aws', 'cli', 'cache'), { recursive: true });
  writeFileSync(roleCacheFile(home), JSON.stringify(contents));
}

function cliCredentials(s: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }) {
  return { AccessKeyId: s.accessKeyId, SecretAccessKey: s.secretAccessKey, SessionToken: s.sessionToken, Expiration: s.expiration.toISOString().replace(/\.\d{3}Z$/, 'UTC') };
}

test('a role cache holding another account\'s session is not used: the role is assumed again, and only its keys sign', async (t) => {
  const w = await world(t);
  // What another tool left under the profile's cache key: a session of a role in account 999988887777.
  const foreign = await w.sessionOf(OTHER_ROLE);
  t.is(await w.accountOf(foreign), OTHER, 'the oracle: these keys are the other account\'s');
  for (const contents of [
    // Consistent with its keys (its AssumedRoleUser is theirs), not with what its name claims.
    { Credentials: cliCredentials(foreign), AssumedRoleUser: { AssumedRoleId: 'AROAOTHER:another-tool', Arn: foreign.assumedRoleArn }, ResponseMetadata: {} },
    // Saying nothing about whose they are: no AWS CLI writes that.
    { Credentials: cliCredentials(foreign) },
    // Claiming the profile's role, with an AccountId that says otherwise.
    { Credentials: { ...cliCredentials(foreign), AccountId: OTHER }, AssumedRoleUser: { AssumedRoleId: 'AROA:x', Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Push/pin` } },
  ]) {
    writeRoleCache(w.home, contents);
    const assumed = w.sts.callCount('AssumeRole');
    const result = await w.get(['--profile', 'pushrole', '--account', ACCOUNT]);
    t.is(result.code, 0, result.stderr);
    const key = usernameKey(result);
    t.not(key, foreign.accessKeyId, 'the foreign session never signs');
    t.is(w.sts.callCount('AssumeRole'), assumed + 1, 'the role is assumed again');
    const fresh = w.sts.issuedCredentials().find((c) => c.accessKeyId === key)!;
    t.like(fresh, { roleArn: ROLE, account: ACCOUNT });
    t.is(w.sts.callCount('GetCallerIdentity'), 1, 'only the oracle asked STS who: AssumeRole\'s answer proved the account');
    const replaced = JSON.parse(readFileSync(roleCacheFile(w.home), 'utf8')) as { Credentials: { AccessKeyId: string; AccountId: string }; AssumedRoleUser: { Arn: string } };
    t.like(replaced, { Credentials: { AccessKeyId: key, AccountId: ACCOUNT }, AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Push/pin` } });
    // Not used even unpinned: the file is not what it claims to be.
    writeRoleCache(w.home, contents);
    const unpinned = await w.get(['--profile', 'pushrole']);
    t.not(usernameKey(unpinned), foreign.accessKeyId);
  }
});

test('a genuine role cache (the AWS CLI\'s shape) serves a pinned get with no network at all; pinned elsewhere it is refused', async (t) => {
  const w = await world(t);
  const session = await w.sessionOf(ROLE);
  writeRoleCache(w.home, { Credentials: cliCredentials(session), AssumedRoleUser: { AssumedRoleId: 'AROAPUSH:pin', Arn: session.assumedRoleArn }, ResponseMetadata: {} });
  const calls = w.sts.callCount();
  const result = await w.get(['--profile', 'pushrole', '--account', ACCOUNT]);
  t.is(usernameKey(result), session.accessKeyId, result.stderr);
  const wrong = await w.get(['--profile', 'pushrole', '--account', OTHER]);
  assertRefused(t, wrong, new RegExp(`^cc-helper: refusing to sign: profile "pushrole" belongs to account ${ACCOUNT}, but this helper line is pinned to account ${OTHER} \\(--account\\)`));
  t.is(w.sts.callCount(), calls, 'no STS call for either');
});

/** A loopback IAM Identity Center portal answering GetRoleCredentials for the pinned account only. */
async function startPortal(t: ExecutionContext): Promise<{ url: string; calls: () => number; key: string }> {
  let calls = 0;
  const key = 'ASIAPORTALPINNED0001';
  const server = createServer((req, res) => {
    calls++;
    const url = new URL(req.url ?? '/', 'http://portal');
    if (url.pathname !== '/federation/credentials' || url.searchParams.get('account_id') !== ACCOUNT || req.headers['x-amz-sso_bearer_token'] !== 'sso-access-token') {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"no"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ roleCredentials: { accessKeyId: key, secretAccessKey: 'portal/secret+key=0000000000000000000000', sessionToken: 'portal/session+token=', expiration: Date.now() + 3600_000 } }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.teardown(() => new Promise<void>((ok) => server.close(() => ok())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, calls: () => calls, key };
}

function ssoFiles(home: AwsHome): { cacheFile: string } {
  const tokenDir = join(home.home, '.aws', 'sso', 'cache');
  mkdirSync(tokenDir, { recursive: true });
  writeFileSync(
    join(tokenDir, `${createHash('sha1').update('corp').digest('hex')}.json`),
    JSON.stringify({ startUrl: 'https://corp.awsapps.com/start', region: 'us-east-1', accessToken: 'sso-access-token', expiresAt: new Date(Date.now() + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }),
  );
  const cacheDir = join(home.home, '.aws', 'cli', 'cache');
  mkdirSync(cacheDir, { recursive: true });
  return { cacheFile: join(cacheDir, `${ssoRoleCacheKey('Developer', ACCOUNT, { sessionName: 'corp' })}.json`) };
}

test('an SSO role cache whose AccountId is not sso_account_id is not used: the portal is asked, and its answer proves the account', async (t) => {
  const w = await world(t);
  const portal = await startPortal(t);
  const env = { AWS_ENDPOINT_URL_SSO: portal.url };
  const { cacheFile } = ssoFiles(w.home);
  const foreign = await w.sessionOf(OTHER_ROLE);
  t.is(await w.accountOf(foreign), OTHER);
  writeFileSync(cacheFile, JSON.stringify({ ProviderType: 'sso', Credentials: { ...cliCredentials(foreign), Expiration: foreign.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'), AccountId: OTHER } }));
  const calls = w.sts.callCount();
  const result = await w.get(['--profile', 'sso', '--account', ACCOUNT], env);
  t.is(usernameKey(result), portal.key, result.stderr);
  t.is(portal.calls(), 1);
  t.is(w.sts.callCount(), calls, 'the portal\'s answer for the account is the proof: no GetCallerIdentity');
  t.is((JSON.parse(readFileSync(cacheFile, 'utf8')) as { Credentials: { AccountId: string } }).Credentials.AccountId, ACCOUNT, 'replaced by the portal\'s answer');
  // Warm: the file now holds what it claims, and serves with no network.
  const warm = await w.get(['--profile', 'sso', '--account', ACCOUNT], env);
  t.is(usernameKey(warm), portal.key);
  t.is(portal.calls(), 1);
  // The shape AWS CLI v2.9 writes, without AccountId: its name says the account; it serves as is.
  const cli29 = await w.sessionOf(ROLE);
  writeFileSync(cacheFile, JSON.stringify({ ProviderType: 'sso', Credentials: { ...cliCredentials(cli29), Expiration: cli29.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z') } }));
  const fromCli = await w.get(['--profile', 'sso', '--account', ACCOUNT], env);
  t.is(usernameKey(fromCli), cli29.accessKeyId, fromCli.stderr);
  t.is(portal.calls(), 1);
  t.is(w.sts.callCount(), calls + 1, 'only this test\'s own AssumeRole');
  assertRefused(t, await w.get(['--profile', 'sso', '--account', OTHER], env), new RegExp(`profile "sso" belongs to account ${ACCOUNT}, but this helper line is pinned to account ${OTHER}`));
});

test('static keys: the right account signs (STS asked once, then the key cache), another is refused with one line', async (t) => {
  const w = await world(t);
  const ok = await w.get(['--profile', 'mine', '--account', ACCOUNT]);
  t.is(usernameKey(ok), MINE.accessKeyId, ok.stderr);
  t.is(w.sts.callCount('GetCallerIdentity'), 1);
  t.is(usernameKey(await w.get(['--profile', 'mine', '--account', ACCOUNT])), MINE.accessKeyId);
  t.is(w.sts.callCount('GetCallerIdentity'), 1, 'remembered');
  assertRefused(t, await w.get(['--profile', 'theirs', '--account', ACCOUNT]), new RegExp(`^cc-helper: refusing to sign: profile "theirs" belongs to account ${OTHER}, but this helper line is pinned to account ${ACCOUNT}`));
});

test('a vault role session: its AssumeRole answer proves the account; a section whose keys another tool replaced (marker kept) is judged by those keys', async (t) => {
  const w = await world(t);
  // No static section for the vault-backed profile: the vault session is all there is.
  const added = await runHelper(['vault', 'add', 'vaulted', '--role-arn', ROLE], `${DEV.accessKeyId}\n${DEV.secretAccessKey}\n`, w.env);
  t.is(added.code, 0, added.stderr);
  const first = await w.get(['--profile', 'vaulted', '--account', ACCOUNT]);
  t.is(first.code, 0, first.stderr);
  const session = w.sts.issuedCredentials().find((c) => c.accessKeyId === usernameKey(first))!;
  t.like(session, { roleArn: ROLE, account: ACCOUNT });
  t.is(w.sts.callCount('GetCallerIdentity'), 0);
  const calls = w.sts.callCount();
  t.is(usernameKey(await w.get(['--profile', 'vaulted', '--account', ACCOUNT])), session.accessKeyId, 'the active session, from the credentials file');
  t.is(w.sts.callCount(), calls, 'and no STS call to check it');
  assertRefused(t, await w.get(['--profile', 'vaulted', '--account', OTHER]), new RegExp(`profile "vaulted" belongs to account ${ACCOUNT}, but this helper line is pinned to account ${OTHER}`));

  // saml2aws and the like rewrite aws_access_key_id/secret/token in place and keep other keys,
  // cc-helper's marker included: the role in the vault definition says nothing about these keys.
  const foreign = await w.sessionOf(OTHER_ROLE);
  const text = readFileSync(w.home.credentialsFile, 'utf8');
  t.regex(text, /x_cc_helper_session = vaulted/);
  const rewritten = text
    .replace(`aws_access_key_id = ${session.accessKeyId}`, `aws_access_key_id = ${foreign.accessKeyId}`)
    .replace(`aws_secret_access_key = ${session.secretAccessKey}`, `aws_secret_access_key = ${foreign.secretAccessKey}`)
    .replace(`aws_session_token = ${session.sessionToken}`, `aws_session_token = ${foreign.sessionToken}`);
  t.not(rewritten, text);
  writeFileSync(w.home.credentialsFile, rewritten);
  const refused = await w.get(['--profile', 'vaulted', '--account', ACCOUNT]);
  assertRefused(t, refused, new RegExp(`profile "vaulted" belongs to account ${OTHER}, but this helper line is pinned to account ${ACCOUNT}`));
  t.false(refused.stderr.includes(foreign.secretAccessKey) || refused.stderr.includes(foreign.sessionToken));
});

test('ambient environment keys: the right account signs, another is refused with one line', async (t) => {
  const w = await world(t);
  const ambient = (key: { accessKeyId: string; secretAccessKey: string }, account: string) =>
    w.get(['--credentials', 'ambient', '--account', account], { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey });
  t.is(usernameKey(await ambient(MINE, ACCOUNT)), MINE.accessKeyId);
  assertRefused(t, await ambient(THEIRS, ACCOUNT), new RegExp(`^cc-helper: refusing to sign: the ambient credentials \\(environment\\) belong to account ${OTHER}, but this helper line is pinned to account ${ACCOUNT}`));
  // An account the environment names (AWS_ACCOUNT_ID, which the SDK reads) is a claim, not proof.
  assertRefused(t, await w.get(['--credentials', 'ambient', '--account', ACCOUNT], { AWS_ACCESS_KEY_ID: THEIRS.accessKeyId, AWS_SECRET_ACCESS_KEY: THEIRS.secretAccessKey, AWS_ACCOUNT_ID: ACCOUNT }), new RegExp(`belong to account ${OTHER}`));
});
