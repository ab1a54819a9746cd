// The built helper run as git runs it: a fresh process, the request on stdin. Each bad input
// ends with no credential on stdout and, for CodeCommit hosts, one clear line on stderr.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeAwsHome, request, runHelper } from '../standins/helper-process.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const HOST = 'git-codecommit.us-east-1.amazonaws.com';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const CANARY_SECRET = 'CanarySecretDoNotTouch0000000000000000000';
const CREDENTIALS = `# a comment that must survive
[default]
aws_access_key_id = AKIACANARY0000000000
aws_secret_access_key = ${CANARY_SECRET}

[CodeCommitProfile]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = ${SECRET}

[client.acme]
aws_access_key_id = ASIAACME
aws_secret_access_key = ${SECRET}
aws_session_token = tok/with+slash=
x_security_token_expires = 2099-01-01T00:00:00Z

[expired]
aws_access_key_id = ASIAEXPIRED
aws_secret_access_key = ${SECRET}
aws_session_token = tok
x_security_token_expires = 2020-01-01T00:00:00Z
`;
const ok = request({ protocol: 'https', host: HOST, path: 'v1/repos/myrepo' });

function home(t: { teardown: (fn: () => void) => void }, files: { credentials?: string; config?: string } = { credentials: CREDENTIALS }) {
  const h = makeAwsHome(files);
  t.teardown(h.cleanup);
  return h;
}

function assertNoSecrets(t: { false: (v: boolean, m?: string) => void }, text: string) {
  for (const s of [SECRET, CANARY_SECRET, 'tok/with+slash=']) t.false(text.includes(s), `leaked ${s.slice(0, 6)}…`);
}

test('signs for the named profile, with an expiry git understands', async (t) => {
  const { env } = home(t);
  const before = Math.floor(Date.now() / 1000);
  const r = await runHelper(['--profile', 'CodeCommitProfile', 'get'], ok, env);
  t.is(r.code, 0);
  t.is(r.stderr, '');
  const lines = r.stdout.trimEnd().split('\n');
  t.is(lines[0], 'username=AKIDEXAMPLE');
  t.regex(lines[1]!, /^password=\d{8}T\d{6}Z[0-9a-f]{64}$/);
  const expiry = Number(lines[2]!.replace('password_expiry_utc=', ''));
  t.true(expiry >= before + 900 - 1 && expiry <= Math.floor(Date.now() / 1000) + 900);
});

test('git appends the action after the helper line, and --profile=NAME works too', async (t) => {
  const { env } = home(t);
  const r = await runHelper(['--profile=CodeCommitProfile', 'get'], ok, env);
  t.regex(r.stdout, /^username=AKIDEXAMPLE\n/);
});

test('AWS_PROFILE chooses the profile when no --profile is given; --profile wins over it', async (t) => {
  const { env } = home(t);
  const viaEnv = await runHelper(['get'], ok, { ...env, AWS_PROFILE: 'client.acme' });
  t.regex(viaEnv.stdout, /^username=ASIAACME%tok\/with\+slash=\n/);
  const both = await runHelper(['--profile', 'CodeCommitProfile', 'get'], ok, { ...env, AWS_PROFILE: 'client.acme' });
  t.regex(both.stdout, /^username=AKIDEXAMPLE\n/);
});

test('the expiry is capped by x_security_token_expires', async (t) => {
  const { env } = home(t);
  const r = await runHelper(['--profile', 'client.acme', 'get'], ok, env);
  t.regex(r.stdout, /password_expiry_utc=\d+\n$/);
});

test('store and erase read their input and print nothing', async (t) => {
  const { env, credentialsFile } = home(t);
  for (const action of ['store', 'erase']) {
    const r = await runHelper(['--profile', 'CodeCommitProfile', action], request({ protocol: 'https', host: HOST, path: 'v1/repos/myrepo', username: 'u', password: 'p' }), env);
    t.is(r.code, 0);
    t.is(r.stdout, '');
    t.is(r.stderr, '');
  }
  t.is(readFileSync(credentialsFile, 'utf8'), CREDENTIALS);
});

test('no profile at all: a clear error and quit=1, never [default]', async (t) => {
  const { env } = home(t);
  const r = await runHelper(['get'], ok, env);
  t.is(r.stdout, 'quit=1\n');
  t.regex(r.stderr, /^cc-helper: no AWS profile chosen: add --profile NAME .* never falls back to \[default\]\n$/);
});

test('[default] is refused unless explicitly allowed', async (t) => {
  const { env } = home(t);
  for (const args of [['--profile', 'default', 'get'], ['get']]) {
    const r = await runHelper(args, ok, { ...env, AWS_PROFILE: 'default' });
    t.is(r.stdout, 'quit=1\n');
    t.regex(r.stderr, /refusing to use the "default" profile .*--allow-default/);
    t.false(r.stdout.includes('AKIACANARY'));
  }
  const allowed = await runHelper(['--profile', 'default', '--allow-default', 'get'], ok, env);
  t.regex(allowed.stdout, /^username=AKIACANARY0000000000\n/);
});

test('only [default] present: the named profile is missing, and nothing falls back', async (t) => {
  const { env } = home(t, { credentials: `[default]\naws_access_key_id = AKIACANARY0000000000\naws_secret_access_key = ${CANARY_SECRET}\n` });
  const r = await runHelper(['--profile', 'CodeCommitProfile', 'get'], ok, env);
  t.is(r.stdout, 'quit=1\n');
  t.regex(r.stderr, /^cc-helper: profile "CodeCommitProfile" is not in .*aws configure --profile CodeCommitProfile/);
});

test('unknown profile, with no AWS files at all', async (t) => {
  const { env } = home(t, {});
  const r = await runHelper(['--profile', 'nope', 'get'], ok, env);
  t.is(r.stdout, 'quit=1\n');
  t.regex(r.stderr, /profile "nope" is not in/);
});

test('expired credentials are refused with the command that fixes them', async (t) => {
  const { env } = home(t);
  const r = await runHelper(['--profile', 'expired', 'get'], ok, env);
  t.is(r.stdout, 'quit=1\n');
  t.regex(r.stderr, /credentials of profile "expired" expired at 2020-01-01T00:00:00.000Z: .*cc-helper session start expired/);
});

test('a malformed credentials file: one line naming the file and line, no secret', async (t) => {
  const broken = CREDENTIALS.replace('[CodeCommitProfile]', '[CodeCommitProfile') ;
  const { env, credentialsFile } = home(t, { credentials: broken });
  const r = await runHelper(['--profile', 'CodeCommitProfile', 'get'], ok, env);
  t.is(r.stdout, 'quit=1\n');
  t.is(r.stderr.split('\n').length, 2);
  // configparser: `[CodeCommitProfile` is no header, so it must be `key = value`, and is not.
  t.true(r.stderr.includes(`cannot use ${credentialsFile}: line 6: expected "key = value" (or a [section] header)`), r.stderr);
  assertNoSecrets(t, r.stderr);

  const noEquals = CREDENTIALS.replace('aws_access_key_id = AKIDEXAMPLE', `aws_access_key_id AKIDEXAMPLE ${SECRET}`);
  const h2 = home(t, { credentials: noEquals });
  const r2 = await runHelper(['--profile', 'CodeCommitProfile', 'get'], ok, h2.env);
  t.is(r2.stdout, 'quit=1\n');
  t.regex(r2.stderr, /line 7: expected "key = value"/);
  assertNoSecrets(t, r2.stderr);
});

test('a directory where the credentials file should be counts as no file, as in botocore (os.path.isfile)', async (t) => {
  const { env, credentialsFile } = home(t, {});
  mkdirSync(credentialsFile);
  const r = await runHelper(['--profile', 'CodeCommitProfile', 'get'], ok, env);
  t.is(r.stdout, 'quit=1\n');
  t.true(r.stderr.startsWith(`cc-helper: profile "CodeCommitProfile" is not in ${credentialsFile}`), r.stderr);
});

test('a profile with only half its keys says which key is missing', async (t) => {
  const { env } = home(t, { credentials: '[half]\naws_access_key_id = AKIDHALF\n' });
  const r = await runHelper(['--profile', 'half', 'get'], ok, env);
  t.is(r.stdout, 'quit=1\n');
  t.regex(r.stderr, /profile "half" has no aws_secret_access_key/);
});

test('static keys in the config file work; the credentials file overrides them', async (t) => {
  const { env } = home(t, {
    config: `[profile cfg]\nregion = eu-west-1\naws_access_key_id = AKIDFROMCONFIG\naws_secret_access_key = ${SECRET}\n`,
  });
  const r = await runHelper(['--profile', 'cfg', 'get'], ok, env);
  t.regex(r.stdout, /^username=AKIDFROMCONFIG\n/);
  writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE!, `[cfg]\naws_access_key_id = AKIDFROMCREDS\naws_secret_access_key = ${SECRET}\n`);
  const r2 = await runHelper(['--profile', 'cfg', 'get'], ok, env);
  t.regex(r2.stdout, /^username=AKIDFROMCREDS\n/);
});

test('a role chain through [default] is refused without --allow-default', async (t) => {
  const { env } = home(t, {
    credentials: CREDENTIALS,
    config: '[profile viaDefault]\nrole_arn = arn:aws:iam::123456789012:role/Code\nsource_profile = default\n',
  });
  const r = await runHelper(['--profile', 'viaDefault', 'get'], ok, env);
  t.is(r.stdout, 'quit=1\n');
  t.regex(r.stderr, /takes its source credentials from \[default\]/);
});

test('an SSO profile without a login says to run aws sso login', async (t) => {
  const { env } = home(t, {
    config:
      '[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n' +
      '[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n',
  });
  const r = await runHelper(['--profile', 'sso', 'get'], ok, env);
  t.is(r.stdout, 'quit=1\n');
  t.regex(r.stderr, /^cc-helper: profile "sso" needs an SSO login: run `aws sso login --profile sso`/);
  t.false(r.stderr.includes('NodeVersionSupportWarning'));
  t.is(r.stderr.split('\n').length, 2);
});

test('credential_process profiles go through the SDK', async (t) => {
  const h = home(t, {});
  const script = join(h.home, 'creds.sh');
  writeFileSync(script, `#!/bin/sh\necho '{"Version":1,"AccessKeyId":"ASIAPROCESS","SecretAccessKey":"${SECRET}","SessionToken":"ptok","Expiration":"2099-01-01T00:00:00Z"}'\n`, { mode: 0o755 });
  writeFileSync(h.configFile, `[profile proc]\ncredential_process = ${script}\n`);
  const r = await runHelper(['--profile', 'proc', 'get'], ok, h.env);
  t.regex(r.stdout, /^username=ASIAPROCESS%ptok\n/);
  t.is(r.stderr, '');
});

const ignored: Array<[string, string]> = [
  ['another host', request({ protocol: 'https', host: 'github.com', path: 'o/r' })],
  ['a look-alike host with a suffix', request({ protocol: 'https', host: `${HOST}.evil.example`, path: 'v1/repos/x' })],
  ['a look-alike host with a prefix', request({ protocol: 'https', host: `x${HOST}`, path: 'v1/repos/x' })],
  ['a host with a second @', request({ protocol: 'https', host: `evil@${HOST}`, path: 'v1/repos/x' })],
  ['a host with a /', request({ protocol: 'https', host: `${HOST}/x`, path: 'v1/repos/x' })],
  ['no host at all', request({ protocol: 'https', path: 'v1/repos/x' })],
];

for (const [title, input] of ignored) {
  test(`no answer at all for ${title}, so git asks its other helpers`, async (t) => {
    const { env } = home(t);
    const r = await runHelper(['--profile', 'CodeCommitProfile', 'get'], input, env);
    t.is(r.code, 0);
    t.is(r.stdout, '');
    t.is(r.stderr, '');
  });
}

test('protocol=http for a CodeCommit host: nothing signed, one line saying why', async (t) => {
  const { env } = home(t);
  const r = await runHelper(['--profile', 'CodeCommitProfile', 'get'], request({ protocol: 'http', host: HOST, path: 'v1/repos/x' }), env);
  t.is(r.stdout, '');
  t.regex(r.stderr, /^cc-helper: not signing for http:\/\/git-codecommit.us-east-1.amazonaws.com: CodeCommit takes only https:\/\/ URLs/);
});

test('no path: says to turn on useHttpPath, and stops git from prompting', async (t) => {
  const { env } = home(t);
  const r = await runHelper(['--profile', 'CodeCommitProfile', 'get'], request({ protocol: 'https', host: HOST }), env);
  t.is(r.stdout, 'quit=1\n');
  t.regex(r.stderr, /useHttpPath true/);
});

test('CR or NUL in a value: refused, nothing signed', async (t) => {
  const { env } = home(t);
  for (const input of [
    `protocol=https\nhost=${HOST}\rpath=v1/repos/x\n\n`,
    `protocol=https\nhost=${HOST}\npath=v1/repos/x\0\n\n`,
  ]) {
    const r = await runHelper(['--profile', 'CodeCommitProfile', 'get'], input, env);
    t.is(r.stdout, '');
    t.regex(r.stderr, /^cc-helper: ignoring a malformed credential request: .*carriage return or NUL/);
  }
});

test('an over-long line: refused, nothing signed', async (t) => {
  const { env } = home(t);
  const r = await runHelper(['--profile', 'CodeCommitProfile', 'get'], `protocol=https\nhost=${HOST}\npath=${'a'.repeat(70000)}\n\n`, env);
  t.is(r.stdout, '');
  t.regex(r.stderr, /longer than 65535 bytes/);
});

test('an endless request is cut off at the size limit, not buffered forever', async (t) => {
  const { env } = home(t);
  const r = await runHelper(['--profile', 'CodeCommitProfile', 'get'], Buffer.alloc(8 * 1024 * 1024, 'wwwauth[]=x\n'), env);
  t.is(r.stdout, '');
  t.regex(r.stderr, /larger than/);
});

test('--debug traces the steps to stderr and never a secret, signature or token', async (t) => {
  const { env } = home(t);
  const r = await runHelper(['--debug', '--profile', 'client.acme', 'get'], ok, env);
  const password = /password=\d{8}T\d{6}Z([0-9a-f]{64})/.exec(r.stdout)![1]!;
  for (const step of ['host git-codecommit.us-east-1.amazonaws.com (standard), region us-east-1', 'profile "client.acme" (from --profile)', 'canonical request:', 'string to sign:', 'credentials from credentials file: key ****ACME']) {
    t.true(r.stderr.includes(step), step);
  }
  t.false(r.stderr.includes(password));
  assertNoSecrets(t, r.stderr);
  const viaEnv = await runHelper(['--profile', 'client.acme', 'get'], ok, { ...env, CC_HELPER_DEBUG: '1' });
  t.true(viaEnv.stderr.includes('canonical request:'));
});

test('usage errors exit 2 with one line', async (t) => {
  const { env } = home(t);
  const r = await runHelper(['--bogus', 'get'], ok, env);
  t.is(r.code, 2);
  t.regex(r.stderr, /^cc-helper: unknown option --bogus/);
  const r2 = await runHelper(['frobnicate'], '', env);
  t.is(r2.code, 2);
  t.regex(r2.stderr, /unknown command "frobnicate"/);
});

test('reads the credentials file as botocore does: legacy aws_security_token first, key names in any case', async (t) => {
  const { env } = home(t, {
    credentials:
      `[legacy]\naws_access_key_id = ASIALEGACY\naws_secret_access_key = ${SECRET}\naws_security_token = legacytok\naws_session_token = newtok\n` +
      `[upper]\nAWS_ACCESS_KEY_ID = AKIDUPPER\nAWS_Secret_Access_Key = ${SECRET}\n`,
  });
  const legacy = await runHelper(['--profile', 'legacy', 'get'], ok, env);
  t.regex(legacy.stdout, /^username=ASIALEGACY%legacytok\n/);
  const upper = await runHelper(['--profile', 'upper', 'get'], ok, env);
  t.regex(upper.stdout, /^username=AKIDUPPER\n/);
});
