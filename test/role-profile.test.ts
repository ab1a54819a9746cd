// Role profiles (role_arn + source_profile, with and without mfa_serial) through the built
// helper, real files in a temporary HOME, and the loopback STS stand-in checking every
// signature: one STS call and one MFA code per session, shared through the AWS CLI's cache.
import type { ExecutionContext } from 'ava';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeAwsHome, request, runHelper, type AwsHome, type HelperResult } from '../standins/helper-process.js';
import { startStsStandIn, type StsStandIn } from '../standins/sts-standin.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const USER = { accessKeyId: 'AKIAROLESOURCE000001', secretAccessKey: 'RoLe/SoUrCe+SeCrEt=00000000000000000000' };
const MFA_SERIAL = 'arn:aws:iam::111122223333:mfa/dev';
const CODES = ['123456', '234567', '345678', '456789'];
const ROLES = {
  alpha: 'arn:aws:iam::444455556666:role/CodeCommitPush',
  beta: 'arn:aws:iam::555566667777:role/CodeCommitPush',
  gamma: 'arn:aws:iam::666677778888:role/CodeCommitPush',
};
const GET = request({ protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com', path: 'v1/repos/demo' });

interface World {
  home: AwsHome;
  sts: StsStandIn;
  env: NodeJS.ProcessEnv;
  /** Every prompt the askpass program was shown (one line each). */
  prompts(): string[];
  get(profile: string, extra?: NodeJS.ProcessEnv): Promise<HelperResult>;
  cacheFiles(): string[];
}

function roleSection(name: string, roleArn: string, extra = ''): string {
  return `[profile ${name}]\nrole_arn = ${roleArn}\nsource_profile = dev\nmfa_serial = ${MFA_SERIAL}\nregion = us-east-1\n${extra}\n`;
}

async function world(t: ExecutionContext, config = roleSection('alpha', ROLES.alpha)): Promise<World> {
  const home = makeAwsHome({
    credentials: `[dev]\naws_access_key_id = ${USER.accessKeyId}\naws_secret_access_key = ${USER.secretAccessKey}\n`,
    config,
  });
  const sts = await startStsStandIn({
    keys: { [USER.accessKeyId]: { secretAccessKey: USER.secretAccessKey, account: '111122223333', userName: 'dev', mfaSerial: MFA_SERIAL, validCodes: [...CODES] } },
    roles: Object.fromEntries(Object.values(ROLES).map((arn) => [arn, { account: arn.split(':')[4]!, requiresMfa: true }])),
  });
  t.teardown(async () => {
    await sts.close();
    home.cleanup();
  });
  // The askpass program logs each prompt and answers with the next code the device "shows".
  const askpass = join(home.home, 'askpass.sh');
  const log = join(home.home, 'prompts.txt');
  writeFileSync(
    askpass,
    `#!/bin/sh\necho "$1" >> '${log}'\nn=$(wc -l < '${log}')\nset -- ${CODES.join(' ')}\nshift $((n - 1))\necho "$1"\n`,
    { mode: 0o755 },
  );
  const env: NodeJS.ProcessEnv = { ...home.env, AWS_ENDPOINT_URL_STS: sts.url, GIT_ASKPASS: askpass, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  return {
    home,
    sts,
    env,
    prompts: () => (existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n') : []),
    get: (profile, extra = {}) => runHelper(['--profile', profile, 'get'], GET, { ...env, ...extra }),
    cacheFiles: () => {
      const dir = join(home.home, '.aws', 'cli', 'cache');
      return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
    },
  };
}

function assertSignedWith(t: ExecutionContext, r: HelperResult, issued: { accessKeyId: string; sessionToken: string }) {
  t.true(r.stdout.startsWith(`username=${issued.accessKeyId}%${issued.sessionToken}\npassword=`), r.stderr);
}

test('10 sequential gets of a role profile with MFA: one code, one AssumeRole, ten passwords, one temporary key', async (t) => {
  const w = await world(t);
  const results: HelperResult[] = [];
  for (let i = 0; i < 10; i++) results.push(await w.get('alpha'));
  for (const r of results) t.is(r.code, 0, r.stderr);
  t.deepEqual(results.map((r) => r.stderr), Array(10).fill(''));
  t.is(w.prompts().length, 1, 'one MFA prompt');
  t.regex(w.prompts()[0]!, /^MFA code for arn:aws:iam::111122223333:mfa\/dev \(profile alpha\):\s*$/);
  t.is(w.sts.callCount('AssumeRole'), 1);
  t.is(w.sts.callCount('GetSessionToken'), 1, 'the MFA code went into the day\'s session');
  const role = w.sts.issuedCredentials().find((c) => c.action === 'AssumeRole')!;
  t.true(role.mfaAuthenticated, 'the role saw MFA through the session');
  for (const r of results) {
    t.is(r.code, 0, r.stderr);
    assertSignedWith(t, r, role);
  }
  const [file] = w.cacheFiles();
  t.is(w.cacheFiles().length, 1);
  t.is(statSync(file!).mode & 0o777, 0o600);
  const cached = JSON.parse(readFileSync(file!, 'utf8')) as { Credentials: Record<string, string> };
  t.is(cached.Credentials.AccessKeyId, role.accessKeyId);
  t.regex(cached.Credentials.Expiration!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dUTC$/, 'the CLI\'s own timestamp form');
});

test('16 concurrent gets with an empty cache: one AssumeRole, one MFA prompt, sixteen answers', async (t) => {
  const w = await world(t);
  // MFA sessions off: the code goes straight into AssumeRole, as the AWS CLI sends it.
  const results = await Promise.all(Array.from({ length: 16 }, () => w.get('alpha', { CC_HELPER_MFA_SESSION_SECONDS: '0' })));
  t.is(w.sts.callCount('AssumeRole'), 1);
  t.is(w.sts.callCount('GetSessionToken'), 0);
  t.is(w.prompts().length, 1);
  const role = w.sts.issuedCredentials()[0]!;
  for (const r of results) assertSignedWith(t, r, role);
});

test('one MFA a day: three roles in three accounts share one MFA session (1 GetSessionToken, 3 AssumeRole, 1 code)', async (t) => {
  const w = await world(t, roleSection('alpha', ROLES.alpha) + roleSection('beta', ROLES.beta) + roleSection('gamma', ROLES.gamma));
  for (const profile of ['alpha', 'beta', 'gamma', 'alpha', 'beta', 'gamma']) {
    const r = await w.get(profile);
    t.is(r.code, 0, r.stderr);
  }
  t.is(w.sts.callCount('GetSessionToken'), 1);
  t.is(w.sts.callCount('AssumeRole'), 3);
  t.is(w.prompts().length, 1);
  const roles = w.sts.issuedCredentials().filter((c) => c.action === 'AssumeRole');
  t.deepEqual(roles.map((c) => c.account), ['444455556666', '555566667777', '666677778888']);
  t.true(roles.every((c) => c.mfaAuthenticated), 'each trust policy requiring MFA accepted the session');
  t.is(w.cacheFiles().length, 3);
});

test('no way to ask for the MFA code: fails at once naming cc-helper session start, which then works in a terminal', async (t) => {
  const w = await world(t);
  const r = await w.get('alpha', { GIT_ASKPASS: '', GIT_TERMINAL_PROMPT: '0' });
  t.is(r.stdout, 'quit=1\n');
  t.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /cc-helper session start alpha/);
  t.is(w.sts.callCount(), 0);
  // In a terminal (here: the MFA command), once; git's gets then need nobody.
  const start = await runHelper(['session', 'start', 'alpha'], '', { ...w.env, GIT_ASKPASS: '', CC_HELPER_MFA_COMMAND: `echo ${CODES[0]}; :` });
  t.is(start.code, 0, start.stderr);
  t.regex(start.stdout, /^session for alpha is active until /);
  const after = await w.get('alpha', { GIT_ASKPASS: '', GIT_TERMINAL_PROMPT: '0' });
  t.is(after.code, 0, after.stderr);
  t.is(w.sts.callCount('AssumeRole'), 1);
});

test('a damaged or foreign cache file is ignored and replaced; a fresh one written by another tool is used as is', async (t) => {
  const w = await world(t, roleSection('alpha', ROLES.alpha));
  const first = await w.get('alpha');
  t.is(first.code, 0, first.stderr);
  const [file] = w.cacheFiles();
  for (const damaged of ['{"Credentials": {"AccessKeyId": "ASIA', '[]', '{"Credentials": {"AccessKeyId": "ASIAX\\nhost=evil", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00UTC"}}']) {
    writeFileSync(file!, damaged);
    const r = await w.get('alpha');
    t.is(r.code, 0, r.stderr);
    t.false(r.stdout.includes('evil'));
    t.not(readFileSync(file!, 'utf8'), damaged, 'replaced');
  }
  t.is(w.sts.callCount('AssumeRole'), 4);
  t.is(w.prompts().length, 1, 'the MFA session still serves');
  // Written by the AWS CLI (its shape: the whole AssumeRole answer; its timestamp form): used without STS.
  const fromCli = { AccessKeyId: 'ASIAFROMTHECLI000001', SecretAccessKey: 'cli/secret', SessionToken: 'cli+token=', Expiration: '2099-01-01T00:00:00+00:00' };
  writeFileSync(
    file!,
    JSON.stringify({ Credentials: fromCli, AssumedRoleUser: { AssumedRoleId: 'AROACLI:botocore-session-1', Arn: 'arn:aws:sts::444455556666:assumed-role/CodeCommitPush/botocore-session-1' }, ResponseMetadata: {} }),
  );
  const r = await w.get('alpha');
  t.true(r.stdout.startsWith('username=ASIAFROMTHECLI000001%cli+token=\n'), r.stderr);
  t.is(w.sts.callCount('AssumeRole'), 4);
  // The same credentials without the answer's AssumedRoleUser: nothing says whose they are, so the
  // file is not used (and is replaced), as no AWS CLI writes it.
  writeFileSync(file!, JSON.stringify({ Credentials: fromCli }));
  const bare = await w.get('alpha');
  t.is(bare.code, 0, bare.stderr);
  t.false(bare.stdout.includes('ASIAFROMTHECLI000001'));
  t.is(w.sts.callCount('AssumeRole'), 5);
});

test('an STS that never answers: the get ends within the timeout with one line and quit=1', async (t) => {
  const w = await world(t);
  w.sts.stall('*', 10);
  const started = Date.now();
  const r = await w.get('alpha', { CC_HELPER_MFA_SESSION_SECONDS: '0' });
  const seconds = (Date.now() - started) / 1000;
  t.is(r.stdout, 'quit=1\n');
  t.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /cannot reach STS at .* \(no answer within 10 s\)/);
  t.true(seconds < 40, `ended after ${seconds} s`);
  t.deepEqual(w.cacheFiles(), []);
});

test('profiles the SDK still resolves (web identity) are bounded too: a silent STS ends the get with one line', async (t) => {
  const w = await world(t);
  const tokenFile = join(w.home.home, 'web-identity-token');
  writeFileSync(tokenFile, 'eyJhbGciOiJub25lIn0.e30.');
  writeFileSync(w.home.configFile, `[profile wi]\nrole_arn = ${ROLES.alpha}\nweb_identity_token_file = ${tokenFile}\nregion = us-east-1\n`);
  w.sts.stall('*', 10);
  const started = Date.now();
  const r = await w.get('wi');
  const seconds = (Date.now() - started) / 1000;
  t.is(r.stdout, 'quit=1\n');
  t.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /^cc-helper: cannot get credentials for profile "wi"/);
  t.true(seconds < 50, `ended after ${seconds} s`);
});

test('broken role settings: one line each naming the fix, no STS call, nothing cached', async (t) => {
  const w = await world(
    t,
    '[profile loop-a]\nrole_arn = arn:aws:iam::444455556666:role/A\nsource_profile = loop-b\n' +
      '[profile loop-b]\nrole_arn = arn:aws:iam::444455556666:role/B\nsource_profile = loop-a\n' +
      `[profile bad-duration]\nrole_arn = ${ROLES.alpha}\nsource_profile = dev\nduration_seconds = 1h\n` +
      `[profile self-no-keys]\nrole_arn = ${ROLES.alpha}\nsource_profile = self-no-keys\n` +
      `[profile bad-mfa-hours]\nrole_arn = ${ROLES.alpha}\nsource_profile = dev\nmfa_serial = ${MFA_SERIAL}\n`,
  );
  const cases: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    ['loop-a', {}, /the source_profile chain loops back to "loop-a"/],
    ['bad-duration', {}, /duration_seconds = "1h": expected a number of seconds/],
    ['self-no-keys', {}, /names itself as source_profile but has no aws_access_key_id/],
    ['bad-mfa-hours', { CC_HELPER_MFA_SESSION_SECONDS: '12h' }, /CC_HELPER_MFA_SESSION_SECONDS must be 0 \(off\) or 900 to 129600 seconds/],
  ];
  for (const [profile, env, message] of cases) {
    const r = await w.get(profile, env);
    t.is(r.stdout, 'quit=1\n', profile);
    t.regex(r.stderr, message, profile);
    t.is(r.stderr.split('\n').length, 2, `${profile}: one line`);
  }
  t.is(w.sts.callCount(), 0);
  t.deepEqual(w.cacheFiles(), []);
  t.deepEqual(w.prompts(), []);
});

test('a role chained from another role profile: both sessions cached, the second get makes no call', async (t) => {
  const w = await world(
    t,
    `[profile hub]\nrole_arn = ${ROLES.beta}\nsource_profile = dev\n` + `[profile spoke]\nrole_arn = ${ROLES.gamma}\nsource_profile = hub\nrole_session_name = spoke-session\n`,
  );
  w.sts.roles[ROLES.beta]!.requiresMfa = false;
  w.sts.roles[ROLES.gamma]!.requiresMfa = false;
  const first = await w.get('spoke');
  t.is(first.code, 0, first.stderr);
  const second = await w.get('spoke');
  t.is(second.stdout.split('\n', 1)[0], first.stdout.split('\n', 1)[0], second.stderr);
  t.is(w.sts.callCount('AssumeRole'), 2, 'hub once, spoke once');
  const spoke = w.sts.issuedCredentials().find((c) => c.roleArn === ROLES.gamma)!;
  t.regex(spoke.arn, /assumed-role\/CodeCommitPush\/spoke-session$/);
  t.true(second.stdout.startsWith(`username=${spoke.accessKeyId}%`));
  t.is(w.cacheFiles().length, 2);
});
