// Vault-backed profiles with real parts: the file vault, the STS stand-in (verifying SigV4 on
// every call), the CodeCommit stand-in, real git, and the real credentials file in a temp HOME.
import type { ExecutionContext } from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STS_NAMESPACE, startStsStandIn, type StsStandIn } from '../standins/sts-standin.js';
import { CANARY_KEY, startCodeCommitWorld, type CodeCommitWorld } from '../standins/codecommit-world.js';
import { makeAwsHome, request, runHelper, type HelperResult } from '../standins/helper-process.js';
import { run } from '../standins/git-env.js';
import { sessionDefinitionsFile } from '../src/sessions/session-definitions.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const PROFILE = 'CodeCommitProfile';
const USER_KEY = { accessKeyId: 'AKIAVAULTUSER0000001', secretAccessKey: 'VaUlT/LoNg+TeRm=SeCrEt000000000000000000' };
const PASSPHRASE = 'correct horse battery staple';
const MFA_SERIAL = 'arn:aws:iam::111122223333:mfa/dev';
const ROLE_ARN = 'arn:aws:iam::444455556666:role/CodeCommitPush';
const ORIGINAL_CREDENTIALS =
  `# managed by hand: every byte of this must survive\n[default]\naws_access_key_id = ${CANARY_KEY.accessKeyId}\n` +
  `aws_secret_access_key = ${CANARY_KEY.secretAccessKey}\n\n; another tool's profile\n[other.tool]\nregion=eu-west-1\n` +
  'aws_access_key_id = AKIAOTHERTOOL0000001\naws_secret_access_key = other/secret+value=\n';

interface Setup {
  world: CodeCommitWorld;
  sts: StsStandIn;
  env: NodeJS.ProcessEnv;
  outputs: string[];
  cc(args: string[], input?: string, extraEnv?: NodeJS.ProcessEnv): Promise<HelperResult>;
}

async function setup(t: ExecutionContext, options: { mfa?: boolean } = {}): Promise<Setup> {
  const world = await startCodeCommitWorld({ keys: [CANARY_KEY] });
  const sts = await startStsStandIn({
    keys: {
      [USER_KEY.accessKeyId]: {
        secretAccessKey: USER_KEY.secretAccessKey,
        account: '111122223333',
        userName: 'dev',
        ...(options.mfa ? { mfaSerial: MFA_SERIAL, validCodes: ['123456', '234567', '345678'] } : {}),
      },
    },
    roles: { [ROLE_ARN]: { account: '444455556666' } },
    // Tests move STS's clock to make it issue nearly expired sessions; its skew check (tested
    // with the stand-in itself) must not refuse them for that.
    maxSkewSeconds: 4 * 3600,
    // CodeCommit accepts what STS issues, as the real services do.
    onIssue: (issued) => world.codecommit.keys.push(issued),
  });
  t.teardown(async () => {
    await sts.close();
    await world.close();
  });
  writeFileSync(world.credentialsFile, ORIGINAL_CREDENTIALS, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = {
    ...world.env,
    AWS_ENDPOINT_URL_STS: sts.url,
    CC_HELPER_VAULT_PASSPHRASE: PASSPHRASE,
  };
  world.env.AWS_ENDPOINT_URL_STS = sts.url;
  world.env.CC_HELPER_VAULT_PASSPHRASE = PASSPHRASE;
  const outputs: string[] = [];
  const cc = async (args: string[], input = '', extraEnv: NodeJS.ProcessEnv = {}) => {
    const result = await runHelper(args, input, { ...env, ...extraEnv });
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  return { world, sts, env, outputs, cc };
}

function assertNoSecrets(t: ExecutionContext, s: Setup, texts: string[]) {
  const secrets = [USER_KEY.secretAccessKey, PASSPHRASE, ...s.sts.issuedCredentials().map((c) => c.secretAccessKey)];
  for (const text of texts) for (const secret of secrets) t.false(text.includes(secret), `a secret leaked: ${secret.slice(0, 4)}…`);
}

async function addToVault(t: ExecutionContext, s: Setup, extra: string[] = []) {
  const added = await s.cc(['vault', 'add', PROFILE, ...extra], `${USER_KEY.accessKeyId}\n${USER_KEY.secretAccessKey}\n`);
  t.is(added.code, 0, added.stderr);
  t.false(readFileSync(s.world.credentialsFile, 'utf8').includes(USER_KEY.secretAccessKey), 'the long-term key never goes into ~/.aws');
}

const GET = request({ protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com', path: 'v1/repos/demo' });

test('git push activates the session on demand (one STS call), and session stop removes it again', async (t) => {
  const s = await setup(t);
  await addToVault(t, s);
  await s.world.codecommit.addRepo('demo', { initialCommit: { files: { a: 'a\n' } } });

  const clone = await s.world.git(['clone', s.world.codecommit.repoUrl('demo'), 'demo']);
  t.is(clone.code, 0, clone.stderr);
  const work = join(s.world.home.home, 'demo');
  writeFileSync(join(work, 'b'), 'b\n');
  await s.world.git(['add', '.'], work);
  await s.world.git(['commit', '-m', 'b'], work);
  const push = await s.world.git(['push', 'origin', 'HEAD:main'], work);
  t.is(push.code, 0, push.stderr);
  t.is(s.sts.callCount('GetSessionToken'), 1, 'clone activated, push reused the session');

  const issued = s.sts.issuedCredentials()[0]!;
  t.deepEqual([...new Set(s.world.codecommit.acceptedKeyIds())], [issued.accessKeyId]);
  const file = readFileSync(s.world.credentialsFile, 'utf8');
  t.true(file.startsWith(ORIGINAL_CREDENTIALS), 'every other line unchanged');
  t.true(file.includes(`[${PROFILE}]\naws_access_key_id = ${issued.accessKeyId}\n`));
  t.regex(file, /x_security_token_expires = \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/);

  const list = await s.cc(['session', 'list']);
  t.regex(list.stdout, new RegExp(`^${PROFILE}: active, (59|60) min left`));

  const stop = await s.cc(['session', 'stop', PROFILE]);
  t.is(stop.code, 0, stop.stderr);
  t.is(readFileSync(s.world.credentialsFile, 'utf8'), ORIGINAL_CREDENTIALS, 'back to the original bytes');
  assertNoSecrets(t, s, [...s.outputs, clone.stderr, push.stderr]);
});

test('a session about to expire is renewed by the next git command', async (t) => {
  const s = await setup(t);
  await addToVault(t, s);
  await s.world.codecommit.addRepo('demo', { initialCommit: { files: { a: 'a\n' } } });
  const start = await s.cc(['session', 'start', PROFILE]);
  t.is(start.code, 0, start.stderr);
  t.is(s.sts.callCount('GetSessionToken'), 1);
  // Time passes: the session has two minutes left, inside the renewal margin, so the next git
  // command must activate a fresh one. (STS itself never issues a session that short: see the
  // hostile-answer tests.)
  const twoMinutes = new Date(Date.now() + 2 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  writeFileSync(s.world.credentialsFile, readFileSync(s.world.credentialsFile, 'utf8').replace(/x_security_token_expires = .*/, `x_security_token_expires = ${twoMinutes}`));
  t.regex((await s.cc(['session', 'list'])).stdout, new RegExp(`^${PROFILE}: active, [12] min left`));
  const clone = await s.world.git(['clone', s.world.codecommit.repoUrl('demo'), 'demo']);
  t.is(clone.code, 0, clone.stderr);
  t.is(s.sts.callCount('GetSessionToken'), 2);
  const [, renewed] = s.sts.issuedCredentials();
  t.deepEqual([...new Set(s.world.codecommit.acceptedKeyIds())], [renewed!.accessKeyId]);
});

test('32 concurrent gets for an inactive profile: one STS call, 32 answers, the file intact', async (t) => {
  const s = await setup(t);
  await addToVault(t, s);
  const results = await Promise.all(Array.from({ length: 32 }, () => s.cc(['--profile', PROFILE, 'get'], GET)));
  t.is(s.sts.callCount('GetSessionToken'), 1);
  const issued = s.sts.issuedCredentials()[0]!;
  for (const r of results) t.true(r.stdout.startsWith(`username=${issued.accessKeyId}%${issued.sessionToken}\n`), r.stderr);
  const file = readFileSync(s.world.credentialsFile, 'utf8');
  t.true(file.startsWith(ORIGINAL_CREDENTIALS));
  t.is(file.split(`[${PROFILE}]`).length, 2, 'exactly one section for the profile');
  assertNoSecrets(t, s, results.map((r) => r.stderr));
});

test('STS answers a session that expires inside the renewal margin: 8 waiting gets make one call and report its refusal', async (t) => {
  const s = await setup(t);
  await addToVault(t, s);
  const soon = new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  s.sts.answerNext('GetSessionToken', {
    status: 200,
    body:
      `<GetSessionTokenResponse xmlns="${STS_NAMESPACE}"><GetSessionTokenResult><Credentials><AccessKeyId>ASIASHORTLIVED000001</AccessKeyId>` +
      `<SecretAccessKey>short/lived+secret=000000000000000000000</SecretAccessKey><SessionToken>IQoJshort</SessionToken>` +
      `<Expiration>${soon}</Expiration></Credentials></GetSessionTokenResult></GetSessionTokenResponse>`,
  });
  const results = await Promise.all(Array.from({ length: 8 }, () => s.cc(['--profile', PROFILE, 'get'], GET)));
  t.is(s.sts.callCount('GetSessionToken'), 1, 'the waiters did not call STS again');
  for (const r of results) {
    t.is(r.stdout, 'quit=1\n');
    t.regex(r.stderr, /^cc-helper: STS at .* answered GetSessionToken with credentials that expire in \d+ s .*set this machine's clock right/);
    t.is(r.stderr.split('\n').length, 2);
  }
  t.is(readFileSync(s.world.credentialsFile, 'utf8'), ORIGINAL_CREDENTIALS, 'nothing written');
  // The next git command, later, tries again (and this time STS answers properly).
  const later = await s.cc(['--profile', PROFILE, 'get'], GET);
  t.is(later.code, 0, later.stderr);
  t.regex(later.stdout, /^username=ASIA/);
});

test('a role session: AssumeRole into the code account with the vault key and an MFA code from askpass', async (t) => {
  const s = await setup(t, { mfa: true });
  await addToVault(t, s, ['--role-arn', ROLE_ARN, '--mfa-serial', MFA_SERIAL, '--duration', '1h']);
  const askpass = join(s.world.home.home, 'askpass.sh');
  writeFileSync(askpass, `#!/bin/sh\necho "$1" >> "${join(s.world.home.home, 'prompts.txt')}"\necho 234567\n`, { mode: 0o755 });
  const r = await s.cc(['--profile', PROFILE, 'get'], GET, { GIT_ASKPASS: askpass });
  t.is(s.sts.callCount('AssumeRole'), 1);
  const issued = s.sts.issuedCredentials()[0]!;
  t.is(issued.roleArn, ROLE_ARN);
  t.true(issued.mfaAuthenticated);
  t.true(r.stdout.startsWith(`username=${issued.accessKeyId}%`), r.stderr);
  t.regex(readFileSync(join(s.world.home.home, 'prompts.txt'), 'utf8'), /^MFA code for arn:aws:iam::111122223333:mfa\/dev \(profile CodeCommitProfile\): $/m);
});

test('CC_HELPER_MFA_COMMAND: the device comes in its environment, not as an argument; a wrong answer is described, never shown', async (t) => {
  const s = await setup(t, { mfa: true });
  await addToVault(t, s, ['--mfa-serial', MFA_SERIAL]);
  const seen = join(s.world.home.home, 'mfa-command.txt');
  const record = `echo "$CC_HELPER_MFA_SERIAL $CC_HELPER_MFA_PROFILE args=$#" >> '${seen}'`;
  const wrong = await s.cc(['--profile', PROFILE, 'get'], GET, { CC_HELPER_MFA_COMMAND: `${record}; echo '12 34a7'` });
  t.is(wrong.stdout, 'quit=1\n');
  t.is(wrong.stderr, 'cc-helper: the MFA code for profile "CodeCommitProfile" must be 6 digits, got 7 characters (digits, letters, spaces); nothing was changed\n');
  t.is(s.sts.callCount('GetSessionToken'), 0);
  t.is(readFileSync(s.world.credentialsFile, 'utf8'), ORIGINAL_CREDENTIALS);
  // A command that just prints a code works as written: nothing is appended to it.
  const right = await s.cc(['--profile', PROFILE, 'get'], GET, { CC_HELPER_MFA_COMMAND: `${record}; echo 345678` });
  t.true(right.stdout.startsWith(`username=${s.sts.issuedCredentials()[0]?.accessKeyId}%`), right.stderr);
  t.true(s.sts.issuedCredentials()[0]!.mfaAuthenticated);
  t.is(readFileSync(seen, 'utf8'), `${MFA_SERIAL} ${PROFILE} args=0\n`.repeat(2));
});

test('CC_HELPER_MFA_COMMAND that hangs or is killed: one line saying so (it said "failed with exit status null"), quit=1', async (t) => {
  const s = await setup(t, { mfa: true });
  await addToVault(t, s, ['--mfa-serial', MFA_SERIAL]);
  const slow = await s.cc(['--profile', PROFILE, 'get'], GET, { CC_HELPER_MFA_COMMAND: 'exec sleep 30', CC_HELPER_MFA_COMMAND_TIMEOUT_MS: '500' });
  t.is(slow.stdout, 'quit=1\n');
  t.is(slow.stderr, 'cc-helper: the MFA command (CC_HELPER_MFA_COMMAND) did not finish within 500 ms: run it by hand to see why\n');
  const killed = await s.cc(['--profile', PROFILE, 'get'], GET, { CC_HELPER_MFA_COMMAND: 'kill -9 $$' });
  t.is(killed.stderr, 'cc-helper: the MFA command (CC_HELPER_MFA_COMMAND) was stopped by SIGKILL: run it by hand to see why\n');
  const failed = await s.cc(['--profile', PROFILE, 'get'], GET, { CC_HELPER_MFA_COMMAND: 'exit 3' });
  t.is(failed.stderr, 'cc-helper: the MFA command (CC_HELPER_MFA_COMMAND) exited with status 3: run it by hand to see why\n');
  t.is(s.sts.callCount('GetSessionToken'), 0);
  t.is(readFileSync(s.world.credentialsFile, 'utf8'), ORIGINAL_CREDENTIALS);
});

test('failures are one clear line each, with quit=1 and no change to the credentials file', async (t) => {
  const s = await setup(t, { mfa: true });
  await addToVault(t, s, ['--mfa-serial', MFA_SERIAL]);
  const askpass = join(s.world.home.home, 'askpass.sh');
  writeFileSync(askpass, '#!/bin/sh\necho 999999\n', { mode: 0o755 });
  const cases: Array<[string, NodeJS.ProcessEnv, RegExp, () => void]> = [
    ['wrong passphrase', { CC_HELPER_VAULT_PASSPHRASE: 'wrong', GIT_ASKPASS: askpass }, /wrong passphrase for vault .*vault\.json/, () => {}],
    ['invalid MFA code', { GIT_ASKPASS: askpass }, /MFA/i, () => {}],
    ['no way to ask for the MFA code', { GIT_TERMINAL_PROMPT: '0' }, /cc-helper session start CodeCommitProfile/, () => {}],
    ['STS AccessDenied', { GIT_ASKPASS: askpass }, /AccessDenied|not allowed|denied/i, () => s.sts.failNext('GetSessionToken', { code: 'AccessDenied', message: 'User is not authorized', status: 403 })],
  ];
  for (const [what, env, message, arrange] of cases) {
    arrange();
    const r = await s.cc(['--profile', PROFILE, 'get'], GET, env);
    t.is(r.stdout, 'quit=1\n', what);
    t.regex(r.stderr, message, what);
    t.is(r.stderr.trimEnd().split('\n').length, 1, `${what}: one line`);
    t.is(readFileSync(s.world.credentialsFile, 'utf8'), ORIGINAL_CREDENTIALS, `${what}: file unchanged`);
  }
  await s.sts.close();
  const unreachable = await s.cc(['--profile', PROFILE, 'get'], GET, { GIT_ASKPASS: askpass });
  t.is(unreachable.stdout, 'quit=1\n');
  t.regex(unreachable.stderr, /cannot reach STS/);
  t.is(readFileSync(s.world.credentialsFile, 'utf8'), ORIGINAL_CREDENTIALS);
  assertNoSecrets(t, s, s.outputs);
});

// Issue 11, item 5: a section the user (or another tool) wrote is never replaced by a session.
test('an activating get or session start refuses to replace a section cc-helper did not write', async (t) => {
  const s = await setup(t);
  await addToVault(t, s);
  const byHand = ORIGINAL_CREDENTIALS + `\n# my CodeCommit profile\n[${PROFILE}]\nregion = eu-west-1\nca_bundle = /etc/corp-ca.pem\n`;
  const expiredKeys = 'aws_access_key_id = ASIAEXPIRED000000001\naws_secret_access_key = old\nx_security_token_expires = 2001-01-01T00:00:00Z\n';
  for (const variant of ['expired keys', 'no keys at all']) {
    const text = variant === 'expired keys' ? byHand + expiredKeys : byHand;
    writeFileSync(s.world.credentialsFile, text);
    const get = await s.cc(['--profile', PROFILE, 'get'], GET);
    t.is(get.stdout, 'quit=1\n', variant);
    t.is(get.stderr.trimEnd().split('\n').length, 1, get.stderr);
    t.regex(get.stderr, new RegExp(`\\[${PROFILE}\\] in .* was not written by cc-helper`), variant);
    const start = await s.cc(['session', 'start', PROFILE]);
    t.is(start.code, 1, variant);
    t.regex(start.stderr, /was not written by cc-helper/, variant);
    t.is(readFileSync(s.world.credentialsFile, 'utf8'), text, `${variant}: the section is kept`);
  }
  t.is(s.sts.callCount(), 0, 'no STS call for a session that could not be stored');
  assertNoSecrets(t, s, s.outputs);
});

test('prune removes only expired sections cc-helper wrote', async (t) => {
  const s = await setup(t);
  await addToVault(t, s);
  const start = await s.cc(['session', 'start', PROFILE]);
  t.is(start.code, 0, start.stderr);
  // Time passes: the session's expiry is now behind us.
  const active = readFileSync(s.world.credentialsFile, 'utf8');
  writeFileSync(s.world.credentialsFile, active.replace(/x_security_token_expires = .*/, 'x_security_token_expires = 2001-01-01T00:00:00Z'));
  const expiredByHand = '\n[by.hand]\naws_access_key_id = ASIAHAND\naws_secret_access_key = x\nx_security_token_expires = 2001-01-01T00:00:00Z\n';
  writeFileSync(s.world.credentialsFile, readFileSync(s.world.credentialsFile, 'utf8') + expiredByHand);
  const list = await s.cc(['session', 'list']);
  t.regex(list.stdout, /CodeCommitProfile: expired at/);
  const prune = await s.cc(['session', 'prune']);
  t.regex(prune.stdout, /removed expired sessions: CodeCommitProfile/);
  t.is(readFileSync(s.world.credentialsFile, 'utf8'), ORIGINAL_CREDENTIALS + expiredByHand);
});

test('vault list shows profiles and key ages, never secrets; vault remove forgets the profile', async (t) => {
  const s = await setup(t);
  await addToVault(t, s, ['--role-arn', ROLE_ARN]);
  const list = await s.cc(['vault', 'list']);
  t.regex(list.stdout, /^CodeCommitProfile: AssumeRole arn:aws:iam::444455556666:role\/CodeCommitPush with its long-term key, 60 min sessions {2}key \*+0001 \(file\), 0 days old\n$/);
  t.false(list.stdout.includes(USER_KEY.accessKeyId));
  const removed = await s.cc(['vault', 'remove', PROFILE]);
  t.is(removed.code, 0, removed.stderr);
  const after = await s.cc(['--profile', PROFILE, 'get'], GET);
  t.is(after.stdout, 'quit=1\n');
  t.regex(after.stderr, /profile "CodeCommitProfile" is not in/);
  assertNoSecrets(t, s, s.outputs);
});

test('session definitions written by twelve processes at once: none is lost', async (t) => {
  // `vault add` and `vault remove` read, change and replace sessions.json; run at once (two
  // terminals, a script) they must take turns, or the later write drops the other's profile.
  const home = makeAwsHome();
  t.teardown(home.cleanup);
  const env = { PATH: process.env.PATH, HOME: home.home, CC_HELPER_CONFIG_DIR: join(home.home, 'cc') };
  const module = JSON.stringify(new URL('../src/sessions/session-definitions.js', import.meta.url).href);
  const writer = (n: number) =>
    `import { writeSessionDefinition } from ${module};\n` +
    `for (let i = 0; i < 5; i++) { const profile = 'P${n}-' + i; await writeSessionDefinition(profile, { profile, source: { vault: 'file', item: profile }, durationSeconds: 3600, region: 'us-east-1' }, process.env); }\n`;
  const results = await Promise.all(Array.from({ length: 12 }, (_, n) => run(process.execPath, ['--input-type=module', '-e', writer(n)], { env })));
  for (const r of results) t.is(r.code, 0, r.stderr);
  const written = JSON.parse(readFileSync(sessionDefinitionsFile(env), 'utf8')) as { sessions: Record<string, unknown> };
  t.is(Object.keys(written.sessions).length, 60);
});
