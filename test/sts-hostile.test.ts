// Hostile and broken STS answers, served by the STS stand-in to the built helper resolving a role
// profile (MFA code and external id in the request). Each ends the way a person can act on: one
// line on stderr, `quit=1` for git, nothing cached, no request secret and no terminal control
// character in any output; the one answer that can be used safely (a far-future expiry) is capped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeAwsHome, request, runHelper } from '../standins/helper-process.js';
import { STS_NAMESPACE, startStsStandIn, type RawAnswer } from '../standins/sts-standin.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const USER = { accessKeyId: 'AKIAHOSTILETEST00001', secretAccessKey: 'HoStIlE/SeCrEt+KeY=000000000000000000000' };
const MFA_SERIAL = 'arn:aws:iam::111122223333:mfa/dev';
const MFA_CODE = '864209';
const EXTERNAL_ID = 'ext-id-Zq81';
const ROLE_ARN = 'arn:aws:iam::444455556666:role/CodeCommitPush';
const GET = request({ protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com', path: 'v1/repos/demo' });

function stsCredentialsXml(fields: { id?: string; secret?: string; token?: string; expiration: string }): string {
  return (
    `<AssumeRoleResponse xmlns="${STS_NAMESPACE}"><AssumeRoleResult><AssumedRoleUser><AssumedRoleId>AROAX:s</AssumedRoleId>` +
    `<Arn>arn:aws:sts::444455556666:assumed-role/CodeCommitPush/s</Arn></AssumedRoleUser><Credentials>` +
    `<AccessKeyId>${fields.id ?? 'ASIAHOSTILEANSWER001'}</AccessKeyId><SecretAccessKey>${fields.secret ?? 'issued/secret+value=0000000000000000000000'}</SecretAccessKey>` +
    `<SessionToken>${fields.token ?? 'IQoJissued/token+value='}</SessionToken><Expiration>${fields.expiration}</Expiration>` +
    `</Credentials></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`
  );
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`;
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const echoed = `${MFA_CODE} ${EXTERNAL_ID} ${USER.secretAccessKey}`;
const huge = 'A'.repeat(2 * 1024 * 1024);

const CASES: Array<{ what: string; answer: RawAnswer; stderr: RegExp }> = [
  { what: 'a 2 MB <Code> with Content-Length', answer: { status: 400, body: errorXml(huge, 'x') }, stderr: /larger than any STS answer/ },
  { what: 'a 2 MB answer streamed without Content-Length', answer: { status: 500, body: errorXml('Huge', huge), chunked: true }, stderr: /larger than any STS answer/ },
  { what: 'a <Code> echoing the MFA code, external id and secret', answer: { status: 403, body: errorXml(`Echo${MFA_CODE}${EXTERNAL_ID}`, echoed) }, stderr: /UnrecognisedErrorCode/ },
  { what: 'escape sequences in <Code> and <Message>', answer: { status: 400, body: errorXml('Bad&#27;[31m', 'red &#27;[31mtext&#7; and &#x9b;2J') }, stderr: /STS AssumeRole failed with HTTP 400 \(UnrecognisedErrorCode: red \?\[31mtext\? and \?2J\)/ },
  { what: 'a 10 KB AccessDenied message', answer: { status: 403, body: errorXml('AccessDenied', 'no '.repeat(3500)) }, stderr: /^cc-helper: STS denied AssumeRole \(AccessDenied: (no ){10}.{0,400}\.\.\.\)/ },
  { what: 'credentials that already expired', answer: { status: 200, body: stsCredentialsXml({ expiration: inSeconds(-3600) }) }, stderr: /already expired at .*set this machine's clock right/ },
  { what: 'credentials inside the renewal margin', answer: { status: 200, body: stsCredentialsXml({ expiration: inSeconds(60) }) }, stderr: /expire in \d+ s/ },
  { what: 'a session token with an encoded newline', answer: { status: 200, body: stsCredentialsXml({ token: 'IQoJ&#10;host=evil.example', expiration: inSeconds(3600) }) }, stderr: /characters no AWS credential has/ },
  { what: 'a secret key with a raw newline', answer: { status: 200, body: stsCredentialsXml({ secret: 'abc\npassword=x', expiration: inSeconds(3600) }) }, stderr: /characters no AWS credential has/ },
  { what: 'an access key id with a CR', answer: { status: 200, body: stsCredentialsXml({ id: 'ASIAHOSTILE&#13;username=x', expiration: inSeconds(3600) }) }, stderr: /characters no AWS credential has/ },
  { what: 'an HTML page with status 200', answer: { status: 200, body: '<html><body>Sign in to the proxy</body></html>' }, stderr: /without the expected fields/ },
];

test('hostile STS answers: one clear line, quit=1, nothing cached, no secret or control character in any output', async (t) => {
  const home = makeAwsHome({
    credentials: `[dev]\naws_access_key_id = ${USER.accessKeyId}\naws_secret_access_key = ${USER.secretAccessKey}\n`,
    config: `[profile hostile]\nrole_arn = ${ROLE_ARN}\nsource_profile = dev\nmfa_serial = ${MFA_SERIAL}\nexternal_id = ${EXTERNAL_ID}\nregion = us-east-1\n`,
  });
  const sts = await startStsStandIn({ keys: { [USER.accessKeyId]: { secretAccessKey: USER.secretAccessKey, account: '111122223333', userName: 'dev' } } });
  t.teardown(async () => {
    await sts.close();
    home.cleanup();
  });
  // The MFA code goes straight into AssumeRole (no MFA session), next to the external id.
  const env = { ...home.env, AWS_ENDPOINT_URL_STS: sts.url, CC_HELPER_MFA_COMMAND: `echo ${MFA_CODE}; :`, CC_HELPER_MFA_SESSION_SECONDS: '0' };
  const cacheDir = join(home.home, '.aws', 'cli', 'cache');
  for (const { what, answer, stderr } of CASES) {
    sts.answerNext('AssumeRole', answer);
    const r = await runHelper(['--profile', 'hostile', 'get'], GET, env);
    t.is(r.stdout, 'quit=1\n', what);
    t.regex(r.stderr, stderr, what);
    t.is(r.stderr.split('\n').length, 2, `${what}: one line`);
    t.true(r.stderr.length < 1000, `${what}: short (${r.stderr.length} characters)`);
    t.false(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(r.stderr), `${what}: no control character`);
    for (const secret of [MFA_CODE, EXTERNAL_ID, USER.secretAccessKey]) t.false(r.stderr.includes(secret), `${what}: leaked ${secret.slice(0, 4)}…`);
    t.false(existsSync(cacheDir) && readdirSync(cacheDir).some((f) => f.endsWith('.json')), `${what}: nothing cached`);
  }
  t.is(sts.callCount('AssumeRole'), CASES.length, 'one request each: none of these is retried');

  // Year 9999: usable, but capped at the hour that was asked for, never "never renew".
  sts.answerNext('AssumeRole', { status: 200, body: stsCredentialsXml({ expiration: '9999-12-31T23:59:59Z' }) });
  const r = await runHelper(['--profile', 'hostile', 'get'], GET, env);
  t.true(r.stdout.startsWith('username=ASIAHOSTILEANSWER001%IQoJissued/token+value=\n'), r.stderr);
  const [file] = readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
  const expiration = (JSON.parse(readFileSync(join(cacheDir, file!), 'utf8')) as { Credentials: { Expiration: string } }).Credentials.Expiration;
  const left = new Date(expiration.replace('UTC', 'Z')).getTime() - Date.now();
  t.true(left > 3000_000 && left <= 3600_000, `cached until ${expiration}`);
});
