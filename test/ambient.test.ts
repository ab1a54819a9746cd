// `--credentials ambient` (issue 13): CI and cloud workloads sign with the machine's own
// credentials — environment keys, web identity, container credentials, IMDSv2 — and only when
// the helper line pins the account. Real parts: the built helper run as git runs it, the STS
// stand-in (SigV4 checked, AssumeRoleWithWebIdentity), loopback container and IMDSv2 stand-ins,
// real git through the CodeCommit stand-in. Every home holds a canary [default] that must never sign.
import type { ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ambientSourceOf, type AmbientSourceKind } from '../src/credential-sources/ambient-credentials.js';
import { startContainerCredentialsStandIn, startImdsStandIn } from '../standins/ambient-standins.js';
import { verifyCodeCommitPassword, type AcceptedKey } from '../standins/codecommit-signature.js';
import { startCodeCommitWorld } from '../standins/codecommit-world.js';
import { makeAwsHome, request, runHelper, runHelperMeasured, type HelperResult } from '../standins/helper-process.js';
import { makeHermeticGitEnv, runGit } from '../standins/git-env.js';
import { startStsStandIn, type StsStandIn } from '../standins/sts-standin.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const HOST = 'git-codecommit.us-east-1.amazonaws.com';
const REPO_PATH = 'v1/repos/ci-app';
const GET = request({ protocol: 'https', host: HOST, path: REPO_PATH });
const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '999988887777';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ci-push`;
const OTHER_ROLE_ARN = `arn:aws:iam::${OTHER_ACCOUNT}:role/ci-push`;
const OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.repo-acme-app-ref-main.c2lnbmF0dXJl';
const ENV_KEY = { accessKeyId: 'AKIACIJOBENVKEY00001', secretAccessKey: 'CiJoB/EnV+kEy=secret0000000000000000000' };
const CANARY_SECRET = 'CaNaRy/DeFaUlT+sEcReT=00000000000000000';
const CANARY = `[default]\naws_access_key_id = AKIACANARYDEFAULT001\naws_secret_access_key = ${CANARY_SECRET}\n`;
const AMBIENT = ['--credentials', 'ambient', '--account', ACCOUNT, 'get'];

interface Ambient {
  sts: StsStandIn;
  home: string;
  env: NodeJS.ProcessEnv;
  get(args?: string[]): Promise<HelperResult>;
}

async function ambient(t: ExecutionContext, extraEnv: NodeJS.ProcessEnv = {}): Promise<Ambient> {
  const aws = makeAwsHome({ credentials: CANARY, config: '[default]\nregion = us-east-1\n' });
  t.teardown(aws.cleanup);
  const sts = await startStsStandIn({
    keys: { [ENV_KEY.accessKeyId]: { secretAccessKey: ENV_KEY.secretAccessKey, account: ACCOUNT, userName: 'ci' } },
    roles: {
      [ROLE_ARN]: { account: ACCOUNT, webIdentitySubjects: ['repo:acme/app:ref:refs/heads/main'] },
      [OTHER_ROLE_ARN]: { account: OTHER_ACCOUNT, webIdentitySubjects: ['repo:acme/app:ref:refs/heads/main'] },
    },
    webIdentityTokens: { [OIDC_TOKEN]: { subject: 'repo:acme/app:ref:refs/heads/main', audience: 'sts.amazonaws.com', provider: 'token.actions.githubusercontent.com' } },
  });
  t.teardown(() => sts.close());
  // An AWS_PROFILE naming [default] too: ambient mode must ignore it and the files alike.
  const env: NodeJS.ProcessEnv = { ...aws.env, AWS_PROFILE: 'default', AWS_ENDPOINT_URL_STS: sts.url, ...extraEnv };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  return { sts, home: aws.home, env, get: (args = AMBIENT) => runHelper(args, GET, env) };
}

function answer(r: HelperResult): { username: string; password: string } | undefined {
  const username = /^username=(.*)$/m.exec(r.stdout)?.[1];
  const password = /^password=(.*)$/m.exec(r.stdout)?.[1];
  return username && password ? { username, password } : undefined;
}

/** The answer is a CodeCommit password that the independent verifier accepts for `key` only. */
function assertSignedWith(t: ExecutionContext, r: HelperResult, key: AcceptedKey): void {
  t.is(r.code, 0);
  t.is(r.stderr, '', 'stderr stays quiet (no SDK warning)');
  const a = answer(r);
  if (!a) return void t.fail(`no credential answered: ${r.stdout}`);
  const verdict = verifyCodeCommitPassword({ ...a, host: HOST, repoPath: `/${REPO_PATH}`, now: new Date(), keys: [key] });
  t.deepEqual(verdict, { ok: true, accessKeyId: key.accessKeyId });
}

/** Refused the way git needs it: quit=1, no password, one line on stderr, no secret anywhere. */
function assertRefused(t: ExecutionContext, r: HelperResult, says: RegExp, secrets: string[] = []): void {
  t.is(r.stdout, 'quit=1\n');
  t.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, says);
  for (const s of [CANARY_SECRET, ENV_KEY.secretAccessKey, OIDC_TOKEN, ...secrets]) t.false((r.stdout + r.stderr).includes(s), 'no secret in the output');
}

test('environment keys sign once STS confirms the pinned account; the next run uses the account cache', async (t) => {
  const w = await ambient(t, { AWS_ACCESS_KEY_ID: ENV_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_KEY.secretAccessKey });
  assertSignedWith(t, await w.get(), ENV_KEY);
  t.is(w.sts.callCount('GetCallerIdentity'), 1);
  assertSignedWith(t, await w.get(), ENV_KEY);
  t.is(w.sts.callCount('GetCallerIdentity'), 1, 'cached per key');
  t.regex(readFileSync(join(w.home, '.config', 'cc-helper', 'accounts.json'), 'utf8'), new RegExp(`"${ENV_KEY.accessKeyId}": "${ACCOUNT}"`));
});

test('environment keys of another account: refused, no password', async (t) => {
  const w = await ambient(t, { AWS_ACCESS_KEY_ID: ENV_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_KEY.secretAccessKey });
  const r = await w.get(['--credentials', 'ambient', '--account', OTHER_ACCOUNT, 'get']);
  assertRefused(t, r, new RegExp(`belong to account ${ACCOUNT}, but this helper line is pinned to account ${OTHER_ACCOUNT}`));
});

test('half the environment keys: refused naming the environment, never falling through to another source', async (t) => {
  const tokenFile = join(makeAwsHomeDir(t), 'token');
  writeFileSync(tokenFile, OIDC_TOKEN);
  const w = await ambient(t, { AWS_ACCESS_KEY_ID: ENV_KEY.accessKeyId, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ROLE_ARN });
  assertRefused(t, await w.get(), /cannot get environment credentials \(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  t.is(w.sts.callCount(), 0, 'web identity was not tried');
});

test('ambient without --account is refused before any credential is looked at', async (t) => {
  const w = await ambient(t, { AWS_ACCESS_KEY_ID: ENV_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_KEY.secretAccessKey });
  assertRefused(t, await w.get(['--credentials', 'ambient', 'get']), /refusing --credentials ambient without --account ID/);
  assertRefused(t, await w.get(['--credentials', 'ambient', '--account', ACCOUNT, '--profile', 'ci', 'get']), /takes no --profile/);
  assertRefused(t, await w.get(['--credentials', 'whatever', '--account', ACCOUNT, 'get']), /is not a credential mode/);
  t.is(w.sts.callCount(), 0);
});

test('[default] keys in the shared files are never used, even when they are the only credentials', async (t) => {
  const w = await ambient(t); // no env keys, no web identity, no container, IMDS disabled
  const r = await w.get();
  assertRefused(t, r, /no ambient AWS credentials here .*the shared files are never used/);
  t.false(r.stdout.includes('AKIACANARYDEFAULT001'));
  t.is(w.sts.callCount(), 0);
});

test('web identity: the token file and role ARN go through AssumeRoleWithWebIdentity, and the role names the account', async (t) => {
  const tokenFile = join(makeAwsHomeDir(t), 'token');
  writeFileSync(tokenFile, OIDC_TOKEN);
  const w = await ambient(t, { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ROLE_ARN });
  const r = await w.get();
  const issued = w.sts.issuedCredentials();
  t.is(issued.length, 1);
  t.is(issued[0]!.action, 'AssumeRoleWithWebIdentity');
  assertSignedWith(t, r, issued[0]!);
  t.is(w.sts.callCount('GetCallerIdentity'), 0, 'the role ARN says which account: no extra STS call');
  t.deepEqual(w.sts.log.map((e) => [e.action, e.accessKeyId]), [['AssumeRoleWithWebIdentity', undefined]], 'unsigned: no [default] keys behind it');

  // The role of another account: refused (after the exchange), no password.
  const other = await runHelper(AMBIENT, GET, { ...w.env, AWS_ROLE_ARN: OTHER_ROLE_ARN });
  assertRefused(t, other, new RegExp(`belong to account ${OTHER_ACCOUNT}`), w.sts.issuedCredentials().map((c) => c.secretAccessKey));

  // A token STS does not accept: one line naming the source, the token itself never shown.
  writeFileSync(tokenFile, 'eyJub3QiOiJ2YWxpZCJ9.forged.token');
  assertRefused(t, await w.get(), /cannot get web identity credentials .*InvalidIdentityToken|cannot get web identity credentials .*verification key/, ['eyJub3QiOiJ2YWxpZCJ9.forged.token']);
});

test('web identity: an STS that never answers costs a bounded wait, then one line', async (t) => {
  const tokenFile = join(makeAwsHomeDir(t), 'token');
  writeFileSync(tokenFile, OIDC_TOKEN);
  const w = await ambient(t, { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ROLE_ARN });
  w.sts.stall('AssumeRoleWithWebIdentity', 5);
  const r = await w.get(); // the hang guard is run()'s 60 s; the helper gives up after 2 x 4 s
  assertRefused(t, r, /cannot get web identity credentials .*: no answer within (4|20) s\n/);
  t.true(w.sts.callCount('AssumeRoleWithWebIdentity') <= 2, 'at most two attempts');
});

test('container credentials: the authorization token file is sent, and STS confirms the account', async (t) => {
  const token = 'Bearer-ecs-agent-token-0123456789';
  const endpoint = await startContainerCredentialsStandIn({ token });
  t.teardown(() => endpoint.close());
  const tokenFile = join(makeAwsHomeDir(t), 'container-token');
  writeFileSync(tokenFile, token);
  const w = await ambient(t, { AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url + endpoint.path, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile });
  w.sts.addSession(endpoint.credentials, ROLE_ARN);
  assertSignedWith(t, await w.get(), endpoint.credentials);
  t.deepEqual(endpoint.log.map((e) => [e.status, e.authorized]), [[200, true]]);
  t.is(w.sts.callCount('GetCallerIdentity'), 1);

  writeFileSync(tokenFile, 'Bearer-wrong');
  const refused = await w.get();
  assertRefused(t, refused, /cannot get container credentials/, [token, endpoint.credentials.secretAccessKey, endpoint.credentials.sessionToken]);
  t.true(endpoint.log.slice(1).every((e) => e.status === 401));
});

test('a container endpoint that accepts and never answers: refused after the deadline, no SDK warning, the process ends', async (t) => {
  const endpoint = await startContainerCredentialsStandIn({ token: 'tok', stall: true });
  t.teardown(() => endpoint.close());
  const w = await ambient(t, { AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url + endpoint.path, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok' });
  const r = await w.get();
  t.is(r.signal, null, 'ended by itself, not by the hang guard');
  assertRefused(t, r, /cannot get container credentials .*: no answer within 10 s\n/);
  t.is(endpoint.log.length, 1);
});

test('instance metadata: IMDSv2 token PUT, then GETs carrying it; no IMDSv1 fallback', async (t) => {
  const imds = await startImdsStandIn();
  t.teardown(() => imds.close());
  const w = await ambient(t, { AWS_EC2_METADATA_DISABLED: undefined, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url });
  w.sts.addSession(imds.credentials, ROLE_ARN);
  assertSignedWith(t, await w.get(), imds.credentials);
  t.is(imds.log[0]!.method, 'PUT', 'the token comes first');
  t.true(imds.log.length >= 3);
  t.true(imds.log.every((e) => e.authorized && e.status === 200), JSON.stringify(imds.log));
});

test('instance metadata refusing tokens: refused, never an IMDSv1 GET without a token', async (t) => {
  const imds = await startImdsStandIn({ refuseTokens: true });
  t.teardown(() => imds.close());
  const w = await ambient(t, { AWS_EC2_METADATA_DISABLED: undefined, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url });
  assertRefused(t, await w.get(), /cannot get instance metadata credentials/, [imds.credentials.secretAccessKey]);
  t.true(imds.log.length >= 1);
  t.true(imds.log.every((e) => e.method === 'PUT' && e.status === 403), `no GET without a token: ${JSON.stringify(imds.log)}`);
});

function makeAwsHomeDir(t: ExecutionContext): string {
  const h = makeAwsHome();
  t.teardown(h.cleanup);
  return h.home;
}

test('a real git push in ambient mode with web identity, set up by `cc-helper setup --ambient --account`; doctor names the source', async (t) => {
  const world = await startCodeCommitWorld({ helperLine: null });
  t.teardown(() => world.close());
  const sts = await startStsStandIn({
    roles: { [ROLE_ARN]: { account: ACCOUNT, webIdentitySubjects: ['repo:acme/app:ref:refs/heads/main'] } },
    webIdentityTokens: { [OIDC_TOKEN]: { subject: 'repo:acme/app:ref:refs/heads/main', audience: 'sts.amazonaws.com', provider: 'token.actions.githubusercontent.com' } },
    onIssue: (issued) => world.codecommit.keys.push(issued),
  });
  t.teardown(() => sts.close());
  const tokenFile = join(world.home.home, 'oidc-token');
  writeFileSync(tokenFile, OIDC_TOKEN);
  Object.assign(world.env, { AWS_ENDPOINT_URL_STS: sts.url, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ROLE_ARN });

  const setup = await runHelper(['setup', '--ambient', '--account', ACCOUNT], '', world.env);
  t.is(setup.code, 0, setup.stderr);
  t.regex(setup.stdout, /helper line: .*--credentials ambient --account 111122223333/);

  await world.codecommit.addRepo('ci-app', { initialCommit: { files: { 'README.md': 'ci\n' } } });
  const clone = await world.git(['clone', world.codecommit.repoUrl('ci-app'), 'ci-app']);
  t.is(clone.code, 0, clone.stderr);
  const work = join(world.home.home, 'ci-app');
  writeFileSync(join(work, 'build.txt'), 'built\n');
  await world.git(['add', '.'], work);
  await world.git(['commit', '-m', 'ci build'], work);
  const push = await world.git(['push', 'origin', 'HEAD:main'], work);
  t.is(push.code, 0, push.stderr);
  const used = new Set(world.codecommit.acceptedKeyIds());
  t.deepEqual([...used].sort(), sts.issuedCredentials().map((c) => c.accessKeyId).sort(), 'only web identity credentials signed');
  t.false(used.has('AKIACANARYDEFAULT001'));
  t.true(world.codecommit.log.some((e) => e.service === 'git-receive-pack' && e.outcome === 'accepted'));

  const doctor = await runHelper(['doctor', world.codecommit.repoUrl('ci-app')], '', world.env);
  t.is(doctor.code, 0, doctor.stdout + doctor.stderr);
  t.regex(doctor.stdout, /credentials mode: ambient .*pinned to account 111122223333/);
  t.regex(doctor.stdout, /web identity answered: role arn:aws:iam::111122223333:role\/ci-push/);
  t.regex(doctor.stdout, /belong to account 111122223333 \(from AWS_ROLE_ARN .*\), as pinned to account 111122223333/);
  t.false(doctor.stdout.includes(OIDC_TOKEN));
});

test('doctor with environment keys: offline it names the source; --online asks STS and reports a wrong pin as an error', async (t) => {
  const w = await ambient(t, { AWS_ACCESS_KEY_ID: ENV_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_KEY.secretAccessKey });
  const url = `https://${HOST}/${REPO_PATH}`;
  // The helper line through git's environment config, as a CI job could set it.
  const env = {
    ...w.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'credential.https://git-codecommit.*.amazonaws.com.helper',
    GIT_CONFIG_VALUE_0: `codecommit --credentials ambient --account ${OTHER_ACCOUNT}`,
    GIT_CONFIG_KEY_1: 'credential.https://git-codecommit.*.amazonaws.com.useHttpPath',
    GIT_CONFIG_VALUE_1: 'true',
  };
  const offline = await runHelper(['doctor', '--json', url], '', env);
  t.is(offline.code, 0, offline.stdout + offline.stderr);
  const target = JSON.parse(offline.stdout).targets[0];
  t.like(target, { profile: { name: null, credentialsMode: 'ambient', account: OTHER_ACCOUNT }, credentials: { kind: 'ambient', accessKeyId: '****************0001' } });
  t.regex(target.credentials.detail, /^environment answered: AWS_ACCESS_KEY_ID/);
  t.true(target.findings.some((f: { code: string }) => f.code === 'ambient-account-unconfirmed'));
  t.is(w.sts.callCount(), 0, 'offline: no STS call');

  const online = await runHelper(['doctor', '--online', url], '', env);
  t.is(online.code, 1);
  t.regex(online.stdout, new RegExp(`error: the environment credentials belong to account ${ACCOUNT} .*pinned to account ${OTHER_ACCOUNT}`));
  t.is(w.sts.callCount('GetCallerIdentity'), 1);
  t.false(online.stdout.includes(ENV_KEY.secretAccessKey) || online.stdout.includes(CANARY_SECRET));

  const unpinned = await runHelper(['doctor', url], '', { ...env, GIT_CONFIG_VALUE_0: 'codecommit --credentials ambient' });
  t.is(unpinned.code, 1);
  t.regex(unpinned.stdout, /error: the helper line has --credentials ambient without --account/);
});

test('setup --ambient: needs --account, takes no profile; --list shows the mapping; --remove takes it out', async (t) => {
  const h = await makeHermeticGitEnv();
  t.teardown(() => h.cleanup());
  const env = h.env as NodeJS.ProcessEnv;
  const before = readFileSync(join(h.home, '.gitconfig'), 'utf8');
  for (const [args, says] of [
    [['--ambient'], /setup --ambient needs --account ID/],
    [['--ambient', '--account', ACCOUNT, '--profile', 'ci'], /--profile does not go with --ambient/],
    [['--ambient', '--account', ACCOUNT, '--allow-default'], /--allow-default does not go with --ambient/],
    [['--ambient', '--account', '12345'], /is not an AWS account id/],
  ] as const) {
    const r = await runHelper(['setup', ...args], '', env);
    t.not(r.code, 0);
    t.regex(r.stderr, says);
    t.is(r.stderr.trimEnd().split('\n').length, 1);
  }
  t.is(readFileSync(join(h.home, '.gitconfig'), 'utf8'), before, 'nothing written by a refused setup');

  const setup = await runHelper(['setup', '--ambient', '--account', ACCOUNT], '', env);
  t.is(setup.code, 0, setup.stderr);
  t.regex(setup.stdout, /global uses ambient credentials \(--credentials ambient\)/);
  const list = await runHelper(['setup', '--list'], '', env);
  t.regex(list.stdout, /^global\s+\(ambient\)\s+everywhere/m);
  const helper = await runGit(['config', '--get-all', '--includes', 'credential.https://git-codecommit.*.amazonaws.com.helper'], { env: h.env, cwd: h.home });
  t.regex(helper.stdout, /--credentials ambient --account 111122223333 "\$@"; .*\n$/);
  t.is((await runHelper(['setup', '--remove'], '', env)).code, 0);
  t.is(readFileSync(join(h.home, '.gitconfig'), 'utf8'), before, '--remove restores every byte');
});

test('which source answers: the first configured one, in the SDK chain order; Pod Identity by its agent address', (t) => {
  const table: Array<[NodeJS.ProcessEnv, AmbientSourceKind | undefined]> = [
    [{ AWS_ACCESS_KEY_ID: 'AKIA1', AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: ROLE_ARN }, 'environment'],
    [{ AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: ROLE_ARN, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/x' }, 'web identity'],
    [{ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/abc', AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:1/' }, 'container'],
    [{ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials' }, 'EKS Pod Identity'],
    [{ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://[fd00:ec2::23]/v1/credentials' }, 'EKS Pod Identity'],
    [{ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:8080/creds' }, 'container'],
    [{}, 'instance metadata'],
    [{ AWS_EC2_METADATA_DISABLED: 'TRUE' }, undefined],
    [{ AWS_PROFILE: 'ci', AWS_EC2_METADATA_DISABLED: 'true' }, undefined],
  ];
  for (const [env, kind] of table) t.is(ambientSourceOf(env)?.kind, kind, JSON.stringify(env));
  t.is(ambientSourceOf({ AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: ROLE_ARN })?.roleArn, ROLE_ARN);
});

// Hostile platforms (issue 21): answers and token files that a get must survive in bounded time
// and memory, and credentials the metadata service could not refresh.

/** Refused as assertRefused says, run under /usr/bin/time: quick, and without reading the answer into memory. */
async function refusedCheaply(t: ExecutionContext, w: Ambient, says: RegExp): Promise<void> {
  const r = await runHelperMeasured(AMBIENT, GET, w.env, 30_000);
  t.is(r.signal, null, 'ended by itself');
  assertRefused(t, r, says);
  t.true(r.peakRssMb < 150, `peak RSS ${r.peakRssMb.toFixed(0)} MB`);
  t.true(r.elapsedMs < 9000, `took ${r.elapsedMs} ms`);
}

test('a container endpoint answering with 300 MB: refused after 64 KiB, in bounded memory', async (t) => {
  const endpoint = await startContainerCredentialsStandIn({ token: 'tok', hugeAnswerBytes: 300 * 1024 * 1024 });
  t.teardown(() => endpoint.close());
  const w = await ambient(t, { AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url + endpoint.path, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok' });
  await refusedCheaply(t, w, /^cc-helper: cannot get container credentials \(.*\): it answered with more than 64 KiB, more than any credentials document; nothing was used\n$/);
});

test('instance metadata answering with 300 MB: refused after 64 KiB, in bounded memory', async (t) => {
  const imds = await startImdsStandIn({ hugeAnswerBytes: 300 * 1024 * 1024 });
  t.teardown(() => imds.close());
  const w = await ambient(t, { AWS_EC2_METADATA_DISABLED: undefined, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url });
  await refusedCheaply(t, w, /^cc-helper: cannot get instance metadata credentials \(.*\): it answered with more than 64 KiB, more than any credentials document; nothing was used\n$/);
});

test('a FIFO or /dev/zero as AWS_WEB_IDENTITY_TOKEN_FILE or AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: one line at once, nothing read', async (t) => {
  const dir = makeAwsHomeDir(t);
  const fifo = join(dir, 'token-fifo');
  execFileSync('mkfifo', [fifo]);
  const endpoint = await startContainerCredentialsStandIn({ token: 'tok' });
  t.teardown(() => endpoint.close());
  for (const file of [fifo, '/dev/zero']) {
    const kind = file === fifo ? 'a FIFO' : 'a character device';
    const web = await ambient(t, { AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: ROLE_ARN });
    await refusedCheaply(t, web, new RegExp(`^cc-helper: cannot use AWS_WEB_IDENTITY_TOKEN_FILE \\(${file}\\): it is ${kind}, not a regular file; point it at the token file itself\\n$`));
    t.is(web.sts.callCount(), 0);
    const container = await ambient(t, { AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url + endpoint.path, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file });
    await refusedCheaply(t, container, new RegExp(`^cc-helper: cannot use AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \\(${file}\\): it is ${kind}, not a regular file`));
  }
  t.is(endpoint.log.length, 0, 'the endpoint was never asked');
});

test('a web identity token file that another user could have written is refused, naming the fix', async (t) => {
  const dir = makeAwsHomeDir(t);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, OIDC_TOKEN, { mode: 0o666 });
  chmodSync(tokenFile, 0o666);
  const w = await ambient(t, { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ROLE_ARN });
  assertRefused(t, await w.get(), /^cc-helper: cannot use AWS_WEB_IDENTITY_TOKEN_FILE \(.*\): it can be written by anyone \(mode 0666\); make it yours \(or root's\) and writable by no one else/);
  t.is(w.sts.callCount(), 0);
});

test('expired instance metadata credentials (the SDK moves their expiry on): signed with one warning naming the SDK\'s rule', async (t) => {
  const imds = await startImdsStandIn({ expiredMsAgo: 20 * 60_000 });
  t.teardown(() => imds.close());
  const w = await ambient(t, { AWS_EC2_METADATA_DISABLED: undefined, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url });
  w.sts.addSession({ ...imds.credentials, expiration: new Date(Date.now() + 3600_000) }, ROLE_ARN);
  const r = await w.get();
  t.is(r.code, 0);
  const a = answer(r);
  if (!a) return void t.fail(`no credential answered: ${r.stdout} ${r.stderr}`);
  t.deepEqual(verifyCodeCommitPassword({ ...a, host: HOST, repoPath: `/${REPO_PATH}`, now: new Date(), keys: [imds.credentials] }), { ok: true, accessKeyId: imds.credentials.accessKeyId });
  t.regex(
    r.stderr,
    new RegExp(`^cc-helper: the instance metadata credentials \\(IMDSv2 at ${imds.url.replace(/\./g, '\\.')}\\) expired at ${imds.credentials.expiration.toISOString()}; signing with them anyway, as the AWS SDKs and CLI do when the metadata service cannot refresh them \\(static stability: https://docs\\.aws\\.amazon\\.com/sdkref/latest/guide/feature-static-credentials\\.html\\): CodeCommit may refuse them\\n$`),
  );
  const expiry = Number(/^password_expiry_utc=(\d+)$/m.exec(r.stdout)?.[1]);
  t.true(expiry * 1000 > Date.now(), 'git keeps the password for the few minutes the SDK allows, not a time already past');
});
