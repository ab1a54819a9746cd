// One row per rule of how the AWS CLI (botocore + Python's configparser) reads the shared files,
// each pinned with a small file in a temporary HOME. Grep for a rule's name to find its row. The
// file oracle (test/file-oracle.test.ts) checks the same rules at random against the CLI itself;
// this table says which rule broke when it fails.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProfileCredentials } from '../src/credentials/profile-credentials.js';
import { UserError } from '../src/support/errors.js';
import { makeAwsHome, request, runHelper } from '../standins/helper-process.js';
import { needs, POSIX } from './support/prerequisites.js';
import { readProfile } from '../src/aws-files/profile.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const NOW = new Date('2030-01-01T00:00:00Z');
const A = 'aws_access_key_id = AKIACREDENTIALS00001\naws_secret_access_key = credentials-secret\n';
const B = 'aws_access_key_id = AKIACONFIG0000000001\naws_secret_access_key = config-secret\n';

interface Row {
  rule: string;
  credentials?: string | Buffer;
  config?: string | Buffer;
  profile?: string;
  /** The credentials read, or the refusal's message. */
  expect: { accessKeyId: string; secretAccessKey?: string; sessionToken?: string | undefined } | RegExp;
}

const ROWS: Row[] = [
  // Which file wins: key, secret and token from ONE section.
  { rule: 'which file wins: the credentials file section with a key id', credentials: `[dev]\n${A}`, config: `[profile dev]\n${B}aws_session_token = config-token\n`, expect: { accessKeyId: 'AKIACREDENTIALS00001', secretAccessKey: 'credentials-secret', sessionToken: undefined } },
  { rule: 'which file wins: a key id without a secret is an error, not a merge', credentials: '[dev]\naws_access_key_id = AKIAPARTIAL000000001\n', config: `[profile dev]\n${B}`, expect: /no aws_secret_access_key/ },
  { rule: 'which file wins: a secret without a key id leaves the config file to answer', credentials: '[dev]\naws_secret_access_key = lonely\n', config: `[profile dev]\n${B}`, expect: { accessKeyId: 'AKIACONFIG0000000001', secretAccessKey: 'config-secret' } },
  { rule: 'which file wins: aws_security_token is read before aws_session_token', credentials: `[dev]\n${A}aws_session_token = new\naws_security_token = legacy\n`, expect: { accessKeyId: 'AKIACREDENTIALS00001', sessionToken: 'legacy' } },
  // Provider order.
  { rule: 'provider order: credential_process before the config file keys', config: `[profile dev]\n${B}credential_process = /bin/cat @HOME@/process.json\n`, expect: { accessKeyId: 'AKIAPROCESS000000001', secretAccessKey: 'process-secret' } },
  { rule: 'provider order: the credentials file before credential_process', credentials: `[dev]\n${A}`, config: '[profile dev]\ncredential_process = /bin/cat @HOME@/process.json\n', expect: { accessKeyId: 'AKIACREDENTIALS00001' } },
  { rule: 'provider order: role_arn without source_profile or credential_source is refused', credentials: `[dev]\n${A}`, config: '[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Other\n', expect: /neither source_profile nor credential_source/ },
  { rule: 'provider order: role_arn with both source_profile and credential_source is refused', config: `[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/R\nsource_profile = src\ncredential_source = Environment\n`, expect: /both source_profile and credential_source/ },
  // Section headers.
  ...['profile "dev"', "profile 'dev'", 'profile  dev', 'profile\tdev', 'profile dev ', 'profile "d"ev'].map((header): Row => ({ rule: `section headers: [${JSON.stringify(header)}] is profile dev`, config: `[${header}]\n${B}`, expect: { accessKeyId: 'AKIACONFIG0000000001' } })),
  ...[' profile dev', 'profiledev', 'profile dev extra', 'profile "dev', 'dev'].map((header): Row => ({ rule: `section headers: [${JSON.stringify(header)}] is not profile dev`, config: `[${header}]\n${B}`, expect: /is not in/ })),
  { rule: 'section headers: [profile default] is the default profile', config: `[profile default]\n${B}`, profile: 'default', expect: { accessKeyId: 'AKIACONFIG0000000001' } },
  { rule: 'section headers: the later section of one profile wins whole', config: `[profile dev]\n${B}aws_session_token = first-token\n\n[profile "dev"]\naws_access_key_id = AKIASECOND0000000001\naws_secret_access_key = second\n`, expect: { accessKeyId: 'AKIASECOND0000000001', secretAccessKey: 'second', sessionToken: undefined } },
  { rule: 'section headers: text after the last ] is ignored', credentials: `[dev] # a note\n${A}`, expect: { accessKeyId: 'AKIACREDENTIALS00001' } },
  { rule: 'section headers: the name runs to the LAST ] of the line', credentials: `[dev] x ] y\n${A}`, expect: /is not in/ },
  { rule: 'section headers: the credentials file name is exact ([profile dev] there is not dev)', credentials: `[profile dev]\n${A}`, expect: /is not in/ },
  // configparser's line rules.
  { rule: 'line rules: colon delimiter and case-insensitive keys', credentials: '[dev]\nAWS_ACCESS_KEY_ID: AKIACOLON00000000001\nAws_Secret_Access_Key:colon-secret\n', expect: { accessKeyId: 'AKIACOLON00000000001', secretAccessKey: 'colon-secret' } },
  { rule: 'line rules: inline # and ; are part of the value', credentials: '[dev]\naws_access_key_id = AKIAHASH000000000001\naws_secret_access_key = abc # not a comment ;x\n', expect: { accessKeyId: 'AKIAHASH000000000001', secretAccessKey: 'abc # not a comment ;x' } },
  { rule: 'line rules: quotes and backslash escapes stay raw', credentials: '[dev]\naws_access_key_id = AKIAQUOTE00000000001\naws_secret_access_key = "a\\nb"\naws_session_token = \'t\'\n', expect: { accessKeyId: 'AKIAQUOTE00000000001', secretAccessKey: '"a\\nb"', sessionToken: "'t'" } },
  { rule: 'line rules: a continuation line puts a line break in the value, which is refused', credentials: `[dev]\n${A}aws_session_token = abc\n  def\n`, expect: /line break or NUL inside aws_session_token/ },
  { rule: 'line rules: a more-indented key line continues the value above', credentials: '[dev]\naws_access_key_id = AKIAINDENT0000000001\naws_secret_access_key = s\n   aws_session_token = t\n', expect: /line break or NUL inside aws_secret_access_key/ },
  { rule: 'line rules: lone CR and CRLF end lines', credentials: `[dev]\r${A.replace(/\n/g, '\r\n')}`, expect: { accessKeyId: 'AKIACREDENTIALS00001', secretAccessKey: 'credentials-secret' } },
  { rule: 'line rules: [DEFAULT] keys are inherited by every section', credentials: `[DEFAULT]\naws_session_token = from-default\n\n[dev]\n${A}`, expect: { accessKeyId: 'AKIACREDENTIALS00001', sessionToken: 'from-default' } },
  { rule: 'line rules: [DEFAULT] may appear twice', credentials: `[DEFAULT]\nregion = a\n[dev]\n${A}[DEFAULT]\noutput = json\n`, expect: { accessKeyId: 'AKIACREDENTIALS00001' } },
  { rule: 'line rules: a nested block of key = value lines is fine', credentials: `[dev]\n${A}s3 =\n  addressing_style = path\n`, expect: { accessKeyId: 'AKIACREDENTIALS00001' } },
  // File-level refusals: one line naming the file, the line and why.
  { rule: 'whole file: a duplicate section anywhere', credentials: `[dev]\n${A}[other]\nx = 1\n[other]\ny = 2\n`, expect: /credentials: line 6: section \[other\] appears twice/ },
  { rule: 'whole file: a duplicate key anywhere', credentials: `[dev]\n${A}[other]\nx = 1\nX = 2\n`, expect: /line 6: key "x" appears twice in \[other\]/ },
  { rule: 'whole file: a line that parses nowhere', config: `[profile x]\nnot a setting\n`, credentials: `[dev]\n${A}`, expect: /config: line 2: expected "key = value"/ },
  { rule: 'whole file: text before the first header', credentials: `region = x\n[dev]\n${A}`, expect: /line 1: text before the first \[section\] header/ },
  { rule: 'whole file: an empty key name', credentials: `[dev]\n${A}= value\n`, expect: /line 4: no key name before "="/ },
  { rule: 'whole file: a nested block with a line that is no key = value', credentials: `[dev]\n${A}[other]\ns3 =\n  junk\n`, expect: /line 6: "s3" starts an indented block/ },
  { rule: 'whole file: a byte order mark (Python keeps it, then finds no header)', credentials: `\ufeff[dev]\n${A}`, expect: /line 1: text before the first \[section\] header/ },
  { rule: 'whole file: invalid UTF-8', credentials: Buffer.concat([Buffer.from(`[dev]\n${A}# `), Buffer.from([0xff]), Buffer.from('\n')]), expect: /line 4: not valid UTF-8/ },
  // Answers git cannot use.
  { rule: 'unusable values: an empty key id', credentials: '[dev]\naws_access_key_id =\naws_secret_access_key = s\n', expect: /empty aws_access_key_id/ },
  { rule: 'unusable values: an empty token (the CLI would print key%)', credentials: `[dev]\n${A}aws_session_token =\n`, expect: /empty aws_session_token/ },
];

function writeHome(row: Row) {
  const place = (text: string | Buffer | undefined, home: string) => (typeof text === 'string' ? text.replaceAll('@HOME@', home) : text);
  const aws = makeAwsHome();
  if (row.credentials !== undefined) writeFileSync(aws.credentialsFile, place(row.credentials, aws.home)!);
  if (row.config !== undefined) writeFileSync(aws.configFile, place(row.config, aws.home)!);
  writeFileSync(join(aws.home, 'process.json'), JSON.stringify({ Version: 1, AccessKeyId: 'AKIAPROCESS000000001', SecretAccessKey: 'process-secret' }));
  return aws;
}

for (const row of ROWS) {
  test(`shared-files rule: ${row.rule}`, async (t) => {
    const aws = writeHome(row);
    t.teardown(aws.cleanup);
    const loading = loadProfileCredentials(row.profile ?? 'dev', { env: aws.env, now: NOW, allowDefault: true });
    if (row.expect instanceof RegExp) {
      const error = await t.throwsAsync(loading, { instanceOf: UserError });
      t.regex(error!.message, row.expect);
      t.notRegex(error!.message, /\n/);
      return;
    }
    const { credentials } = await loading;
    t.is(credentials.accessKeyId, row.expect.accessKeyId);
    if (row.expect.secretAccessKey !== undefined) t.is(credentials.secretAccessKey, row.expect.secretAccessKey);
    if ('sessionToken' in row.expect) t.is(credentials.sessionToken, row.expect.sessionToken);
  });
}

test('shared-files rule: section headers: names with spaces and non-ASCII letters are profiles', (t) => {
  const aws = makeAwsHome({ credentials: `[my dev]\n${A}`, config: `[profile "clïent one"]\n${B}` });
  t.teardown(aws.cleanup);
  t.is(readProfile('my dev', aws.env).credentialsSection?.aws_access_key_id, 'AKIACREDENTIALS00001');
  t.is(readProfile('clïent one', aws.env).configSection?.aws_access_key_id, 'AKIACONFIG0000000001');
});

test('shared-files rule: the merged view is the config profile overlaid key by key by the credentials section', (t) => {
  const aws = makeAwsHome({ credentials: '[dev]\nregion = from-credentials\nmfa_serial = arn:aws:iam::1:mfa/x\n', config: '[profile dev]\nregion = from-config\nrole_arn = arn:aws:iam::1:role/r\n' });
  t.teardown(aws.cleanup);
  const { values } = readProfile('dev', aws.env);
  t.deepEqual({ ...values }, { region: 'from-credentials', role_arn: 'arn:aws:iam::1:role/r', mfa_serial: 'arn:aws:iam::1:mfa/x' });
  t.is(Object.getPrototypeOf(values), null, 'names from files never reach a prototype');
});

test('shared-files rule: a path that is a directory counts as no file (botocore: os.path.isfile)', async (t) => {
  const aws = makeAwsHome({ credentials: `[dev]\n${A}` });
  t.teardown(aws.cleanup);
  mkdirSync(aws.configFile);
  const { credentials } = await loadProfileCredentials('dev', { env: aws.env, now: NOW });
  t.is(credentials.accessKeyId, 'AKIACREDENTIALS00001');
});

test('shared-files rule: files: $VAR and ${VAR} in AWS_SHARED_CREDENTIALS_FILE are expanded (os.path.expandvars)', async (t) => {
  const aws = makeAwsHome({ credentials: `[dev]\n${A}` });
  t.teardown(aws.cleanup);
  const env = { ...aws.env, AWS_SHARED_CREDENTIALS_FILE: '$CC_DIR/${CC_NAME}', CC_DIR: aws.home, CC_NAME: 'credentials' };
  const { credentials } = await loadProfileCredentials('dev', { env, now: NOW });
  t.is(credentials.accessKeyId, 'AKIACREDENTIALS00001');
});

// Through the built bin: what git sees.
const GET = request({ protocol: 'https', host: 'git-codecommit.eu-west-1.amazonaws.com', path: 'v1/repos/rules' });

test('shared-files rule (bin): a refused file is one stderr line naming file and line, quit=1, no secret', async (t) => {
  const aws = makeAwsHome({ credentials: `[dev]\n${A}[dev]\naws_secret_access_key = second-secret\n` });
  t.teardown(aws.cleanup);
  const result = await runHelper(['--profile', 'dev', 'get'], GET, aws.env);
  t.is(result.stdout, 'quit=1\n');
  t.regex(result.stderr, new RegExp(`^cc-helper: cannot use ${aws.credentialsFile}: line 4: section \\[dev\\] appears twice, and the AWS CLI refuses the whole file for it: fix that line\\n$`));
  t.notRegex(result.stderr, /secret/);
});

for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
  test(`shared-files rule (bin): prototype names: --profile ${name} missing is a clear refusal, present signs`, async (t) => {
    const missing = makeAwsHome({ credentials: `[dev]\n${A}` });
    t.teardown(missing.cleanup);
    const refused = await runHelper(['--profile', name, 'get'], GET, missing.env);
    t.is(refused.code, 0, refused.stderr);
    t.is(refused.stdout, 'quit=1\n');
    t.regex(refused.stderr, new RegExp(`^cc-helper: profile "${name}" is not in .*\\n$`));
    const present = makeAwsHome({ credentials: `[${name}]\n${A}`, config: `[profile ${name}]\nregion = eu-west-1\n` });
    t.teardown(present.cleanup);
    const signed = await runHelper(['--profile', name, 'get'], GET, present.env);
    t.regex(signed.stdout, /^username=AKIACREDENTIALS00001\npassword=\d{8}T\d{6}Z[0-9a-f]{64}\npassword_expiry_utc=\d+\n$/, signed.stderr);
  });
}

test('account pin (issue 11, 1a): a role_arn without a source is no role, so its account is never trusted', async (t) => {
  // Keys of some account, beside a role_arn naming the pinned one: the CLI refuses this profile
  // (no source_profile), and cc-helper must neither sign nor take the pin from role_arn.
  const aws = makeAwsHome({ credentials: `[dev]\n${A}`, config: '[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Pinned\n' });
  t.teardown(aws.cleanup);
  const result = await runHelper(['--profile', 'dev', '--account', '111111111111', 'get'], GET, { ...aws.env, AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' });
  t.is(result.stdout, 'quit=1\n');
  t.regex(result.stderr, /neither source_profile nor credential_source/);
});

// The SDK path (role, SSO, process, web identity) must read the files as the fast path does.
test('SDK path: the SDK is handed cc-helper\'s parse, cut to the provider botocore picks, and reads it back', async (t) => {
  const { sdkView, handToSdk } = await import('../src/credential-sources/sdk-credentials.js');
  // Spellings the SDK's own parser gets wrong: a quoted header, a colon, [DEFAULT], ` #` in a value.
  const aws = makeAwsHome({
    credentials: '[DEFAULT]\naws_session_token = inherited # not a comment\n\n[src]\naws_access_key_id: AKIASOURCE0000000001\naws_secret_access_key = s # t\n',
    config: '[profile "dev"]\nrole_arn = arn:aws:iam::111111111111:role/R\nsource_profile = src\ncredential_process = /bin/false\naws_access_key_id = AKIAIGNORED000000001\n',
  });
  t.teardown(aws.cleanup);
  const profile = readProfile('dev', aws.env);
  const view = sdkView('dev', 'role', profile, aws.env);
  t.deepEqual({ ...view.profiles.get('dev') }, { role_arn: 'arn:aws:iam::111111111111:role/R', source_profile: 'src' });
  t.deepEqual({ ...view.profiles.get('src') }, { aws_access_key_id: 'AKIASOURCE0000000001', aws_secret_access_key: 's # t', aws_session_token: 'inherited # not a comment' });
  // The values with " #" cannot pass the SDK's parser: refused, never signed with a cut value.
  await t.throwsAsync(handToSdk(view, aws.env), { instanceOf: UserError, message: /AWS SDK.*would read profile "src" differently/ });
  const plain = sdkView('dev', 'role', readProfile('dev', aws.env), aws.env);
  plain.profiles.get('src')!.aws_secret_access_key = 'plain';
  plain.profiles.get('src')!.aws_session_token = 'plain-token';
  const paths = await handToSdk(plain, aws.env);
  t.is(paths.credentialsFile, aws.credentialsFile);
});

test('SDK path: credential_process wins over config keys, as in botocore (the SDK alone would take the keys)', async (t) => {
  const aws = makeAwsHome({ config: `[profile dev]\n${B}credential_process = /bin/cat @HOME@/process.json\n`.replace('@HOME@', '') });
  t.teardown(aws.cleanup);
  writeFileSync(aws.configFile, `[profile dev]\n${B}credential_process = /bin/cat ${join(aws.home, 'process.json')}\n`);
  writeFileSync(join(aws.home, 'process.json'), JSON.stringify({ Version: 1, AccessKeyId: 'AKIAPROCESS000000001', SecretAccessKey: 'process-secret' }));
  const loaded = await loadProfileCredentials('dev', { env: aws.env, now: NOW });
  t.is(loaded.source, 'process');
  t.is(loaded.credentials.accessKeyId, 'AKIAPROCESS000000001');
});

test('role path: a source profile name the SDK could not carry (a space) is read as botocore reads it, and the source keys reach STS', async (t) => {
  const aws = makeAwsHome({
    credentials: `[my source]\n${A}`,
    config: '[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/R\nsource_profile = my source\n',
  });
  t.teardown(aws.cleanup);
  const env = { ...aws.env, AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9', AWS_REGION: 'eu-west-1' };
  // cc-helper's own AssumeRole (not the SDK) resolves the chain: past the files, it calls STS.
  await t.throwsAsync(loadProfileCredentials('dev', { env, now: NOW }), { message: /^cannot reach STS at http:\/\/127\.0\.0\.1:9\// });
});
