// The STS client against the loopback STS stand-in (which checks every SigV4 signature on its
// own), and the stand-in against the real AWS CLI. Every failure must be one clear line without a
// secret, token, signature or MFA code in it.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createStsClient, StsError, type CallerCredentials, type StsClientOptions } from '../src/aws-clients/sts-client.js';
import { stsEndpoint } from '../src/aws-transport/endpoints.js';
import { unescapeXml, xmlText } from '../src/aws-transport/xml.js';
import { UserError } from '../src/support/errors.js';
import { startStsStandIn, type IssuedCredentials, type StsStandIn } from '../standins/sts-standin.js';
import { AWS_CLI_V2, needs } from './support/prerequisites.js';

const execFileAsync = promisify(execFile);
const AWS_CLI = '/usr/bin/aws';

const ALICE: CallerCredentials = { accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice/secret+KEY0000000000000000000000001' };
const BOB: CallerCredentials = { accessKeyId: 'AKIABOB0000000000002', secretAccessKey: 'bob/secret+KEY00000000000000000000000002' };
const ALICE_MFA = 'arn:aws:iam::111111111111:mfa/alice';
const CODE_ROLE = 'arn:aws:iam::222222222222:role/code-push';
const MFA_ROLE = 'arn:aws:iam::222222222222:role/code-admin';
const PARTNER_ROLE = 'arn:aws:iam::333333333333:role/partner';

async function world(t: { teardown: (fn: () => Promise<void>) => void }): Promise<StsStandIn> {
  const sts = await startStsStandIn({
    keys: {
      [ALICE.accessKeyId]: { secretAccessKey: ALICE.secretAccessKey, account: '111111111111', userName: 'alice', mfaSerial: ALICE_MFA, validCodes: ['123456', '234567', '345678'] },
      [BOB.accessKeyId]: { secretAccessKey: BOB.secretAccessKey, account: '444444444444', userName: 'bob' },
    },
    roles: {
      [CODE_ROLE]: { account: '222222222222', trustedPrincipals: ['111111111111'] },
      [MFA_ROLE]: { account: '222222222222', trustedPrincipals: ['arn:aws:iam::111111111111:user/alice'], requiresMfa: true },
      [PARTNER_ROLE]: { account: '333333333333', trustedPrincipals: ['111111111111'], externalId: 'ext-id-xyzzy-0001' },
    },
  });
  t.teardown(() => sts.close());
  return sts;
}

function client(sts: StsStandIn, credentials: CallerCredentials, extra: Partial<StsClientOptions> = {}) {
  return createStsClient({ region: 'us-east-1', credentials, env: { AWS_ENDPOINT_URL_STS: sts.url }, retryBaseMs: 1, ...extra });
}

function sessionOf(c: { accessKeyId: string; secretAccessKey: string; sessionToken: string }): CallerCredentials {
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
}

// ---------------------------------------------------------------------------------------------
// Round trips

test('GetCallerIdentity as an IAM user', async (t) => {
  const sts = await world(t);
  t.deepEqual(await client(sts, ALICE).getCallerIdentity(), {
    account: '111111111111',
    arn: 'arn:aws:iam::111111111111:user/alice',
    userId: (await client(sts, ALICE).getCallerIdentity()).userId,
  });
  t.is(sts.callCount('GetCallerIdentity'), 2);
});

test('GetSessionToken with MFA: temporary credentials that work, remembered and announced by the stand-in', async (t) => {
  const sts = await world(t);
  const announced: IssuedCredentials[] = [];
  sts.onIssue = (c) => announced.push(c);
  const before = Date.now();
  const session = await client(sts, ALICE).getSessionToken({ durationSeconds: 3600, serialNumber: ALICE_MFA, tokenCode: '123456' });
  t.regex(session.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
  t.regex(session.sessionToken, /\//);
  t.regex(session.sessionToken, /\+/);
  t.regex(session.sessionToken, /=/);
  t.true(Math.abs(session.expiration.getTime() - (before + 3600_000)) < 5_000);
  t.is(announced.length, 1);
  t.is(announced[0]!.sessionToken, session.sessionToken);
  t.true(announced[0]!.mfaAuthenticated);
  t.deepEqual(sts.issuedCredentials().map((c) => c.accessKeyId), [session.accessKeyId]);
  // The session signs (with its token) and is the same user.
  t.is((await client(sts, sessionOf(session)).getCallerIdentity()).arn, 'arn:aws:iam::111111111111:user/alice');
  t.is(sts.callCount('GetSessionToken'), 1);
});

test('GetSessionToken without MFA, default duration', async (t) => {
  const sts = await world(t);
  const session = await client(sts, BOB).getSessionToken();
  t.true(session.expiration.getTime() - Date.now() > 11 * 3600_000);
  t.false(sts.issuedCredentials()[0]!.mfaAuthenticated);
});

test('AssumeRole from long-term keys, from an MFA session (role needs MFA), and with an external id', async (t) => {
  const sts = await world(t);
  const role = await client(sts, ALICE).assumeRole({ roleArn: CODE_ROLE, roleSessionName: 'cc-helper@laptop=1,x', durationSeconds: 900 });
  t.is(role.assumedRoleArn, 'arn:aws:sts::222222222222:assumed-role/code-push/cc-helper@laptop=1,x');
  t.regex(role.assumedRoleId, /^AROA[A-Z2-7]+:cc-helper@laptop=1,x$/);
  t.is((await client(sts, sessionOf(role)).getCallerIdentity()).account, '222222222222');

  // The usual way into a code account: an MFA'd session first, then the role that requires MFA.
  const session = await client(sts, ALICE).getSessionToken({ serialNumber: ALICE_MFA, tokenCode: '234567', durationSeconds: 3600 });
  const admin = await client(sts, sessionOf(session)).assumeRole({ roleArn: MFA_ROLE, roleSessionName: 'alice' });
  t.is(admin.assumedRoleArn, 'arn:aws:sts::222222222222:assumed-role/code-admin/alice');
  // Or MFA on the AssumeRole call itself.
  const direct = await client(sts, ALICE).assumeRole({ roleArn: MFA_ROLE, roleSessionName: 'alice', serialNumber: ALICE_MFA, tokenCode: '345678' });
  t.truthy(direct.sessionToken);

  const partner = await client(sts, ALICE).assumeRole({ roleArn: PARTNER_ROLE, roleSessionName: 'partner-1', externalId: 'ext-id-xyzzy-0001' });
  t.is(partner.assumedRoleArn, 'arn:aws:sts::333333333333:assumed-role/partner/partner-1');
  t.is(sts.callCount('AssumeRole'), 4);
});

// ---------------------------------------------------------------------------------------------
// Signatures

test('the stand-in rejects a tampered request and a wrong secret; it accepts the replayed original', async (t) => {
  const sts = await world(t);
  // Capture one correctly signed request, then replay it as sent and with one change.
  let captured: { url: string; init: RequestInit } | undefined;
  await client(sts, ALICE, {
    fetch: async (url, init) => {
      captured = { url: String(url), init: init! };
      return fetch(url, init);
    },
  }).getSessionToken({ durationSeconds: 900 });
  const { url, init } = captured!;
  const body = String(init.body);
  t.is(body, 'Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900');
  const replay = (changes: Partial<RequestInit>) => fetch(url, { ...init, signal: null, ...changes });
  t.is((await replay({})).status, 200);
  const tampered = await replay({ body: body.replace('900', '901') });
  t.is(tampered.status, 403);
  t.is(xmlText(await tampered.text(), 'Code'), 'SignatureDoesNotMatch');
  const headers = { ...(init.headers as Record<string, string>) };
  headers['x-amz-date'] = headers['x-amz-date']!.replace(/\d(?=Z$)/, (d) => String((Number(d) + 1) % 10));
  t.is((await replay({ headers })).status, 403);
  const unsigned = await replay({ headers: { 'content-type': headers['content-type']! } });
  t.is(xmlText(await unsigned.text(), 'Code'), 'MissingAuthenticationToken');

  const wrong = await t.throwsAsync(client(sts, { ...ALICE, secretAccessKey: 'not/the+secret' }).getCallerIdentity(), { instanceOf: StsError });
  t.is(wrong!.kind, 'bad-signature');
  t.is(wrong!.code, 'SignatureDoesNotMatch');
  t.regex(wrong!.message, /secret access key stored with it is wrong/);
});

test('a clock 20 minutes off: "this machine\'s clock is off"', async (t) => {
  const sts = await world(t);
  const late = new Date(Date.now() - 20 * 60_000);
  const error = await t.throwsAsync(client(sts, ALICE, { now: () => late }).getCallerIdentity(), { instanceOf: StsError });
  t.is(error!.kind, 'clock-skew');
  t.regex(error!.message, /clock is off/);
});

needs(AWS_CLI_V2)('the stand-in accepts the real AWS CLI\'s signatures and the CLI reads its XML', async (t) => {
  const sts = await world(t);
  const dir = await mkdtemp(join(tmpdir(), 'cc-sts-cli-'));
  t.teardown(() => rm(dir, { recursive: true }));
  await writeFile(join(dir, 'credentials'), `[alice]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`);
  const env = { PATH: '/usr/bin:/bin', HOME: dir, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'none'), AWS_EC2_METADATA_DISABLED: 'true', AWS_PAGER: '', NO_PROXY: '*' };
  const aws = async (...args: string[]) => JSON.parse((await execFileAsync(AWS_CLI, [...args, '--profile', 'alice', '--region', 'us-east-1', '--endpoint-url', sts.url], { env })).stdout);
  t.is((await aws('sts', 'get-caller-identity')).Arn, 'arn:aws:iam::111111111111:user/alice');
  const token = await aws('sts', 'get-session-token', '--serial-number', ALICE_MFA, '--token-code', '123456', '--duration-seconds', '900');
  t.is(token.Credentials.AccessKeyId, sts.issuedCredentials()[0]!.accessKeyId);
  t.is(token.Credentials.SessionToken, sts.issuedCredentials()[0]!.sessionToken);
  const role = await aws('sts', 'assume-role', '--role-arn', PARTNER_ROLE, '--role-session-name', 'cli', '--external-id', 'ext-id-xyzzy-0001');
  t.is(role.AssumedRoleUser.Arn, 'arn:aws:sts::333333333333:assumed-role/partner/cli');
  const failed = await t.throwsAsync(aws('sts', 'get-session-token', '--serial-number', ALICE_MFA, '--token-code', '123456'));
  t.regex(String((failed as unknown as { stderr: string }).stderr), /AccessDenied.*MultiFactorAuthentication failed with invalid MFA one time pass code/);
  t.deepEqual(
    sts.log.map((e) => e.status),
    [200, 200, 200, 403],
  );
});

// ---------------------------------------------------------------------------------------------
// Errors, one line each

test('invalid MFA code, reused code, wrong MFA serial, malformed code', async (t) => {
  const sts = await world(t);
  const c = client(sts, ALICE);
  const wrong = await t.throwsAsync(c.getSessionToken({ serialNumber: ALICE_MFA, tokenCode: '999999' }), { instanceOf: StsError });
  t.is(wrong!.kind, 'invalid-mfa');
  t.is(wrong!.code, 'AccessDenied');
  t.is(wrong!.message, `STS rejected the MFA code for ${ALICE_MFA}: it is wrong, expired or already used; wait for the next code and try again`);
  await c.getSessionToken({ serialNumber: ALICE_MFA, tokenCode: '123456' });
  const reused = await t.throwsAsync(c.getSessionToken({ serialNumber: ALICE_MFA, tokenCode: '123456' }), { instanceOf: StsError });
  t.is(reused!.kind, 'invalid-mfa');
  const serial = await t.throwsAsync(c.getSessionToken({ serialNumber: 'arn:aws:iam::111111111111:mfa/nobody', tokenCode: '234567' }), { instanceOf: StsError });
  t.is(serial!.kind, 'invalid-mfa-serial');
  t.regex(serial!.message, /mfa\/nobody/);
  const malformed = await t.throwsAsync(c.getSessionToken({ serialNumber: ALICE_MFA, tokenCode: '12ab' }), { instanceOf: StsError });
  t.is(malformed!.kind, 'invalid-mfa');
  t.false(malformed!.message.includes('12ab'));
  t.is(sts.callCount('GetSessionToken'), 5, 'none of these is retried');
});

test('AccessDenied: untrusted caller, missing external id, role needs MFA, GetSessionToken from a session', async (t) => {
  const sts = await world(t);
  const denied = async (promise: Promise<unknown>) => {
    const error = await t.throwsAsync(promise, { instanceOf: StsError });
    t.is(error!.kind, 'access-denied');
    t.notRegex(error!.message, /[\r\n]/);
    return error!.message;
  };
  t.regex(await denied(client(sts, BOB).assumeRole({ roleArn: CODE_ROLE, roleSessionName: 'bob' })), /^STS denied AssumeRole \(AccessDenied: User: arn:aws:iam::444444444444:user\/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role\/code-push\): check that the role .* trusts this caller/);
  await denied(client(sts, ALICE).assumeRole({ roleArn: PARTNER_ROLE, roleSessionName: 'alice' }));
  await denied(client(sts, ALICE).assumeRole({ roleArn: MFA_ROLE, roleSessionName: 'alice' }));
  const session = await client(sts, BOB).getSessionToken();
  t.regex(await denied(client(sts, sessionOf(session)).getSessionToken()), /needs the long-term access key of an IAM user/);
  t.is(sts.callCount('AssumeRole'), 3);
});

test('ExpiredToken and unknown keys', async (t) => {
  const sts = await world(t);
  const session = await client(sts, BOB).getSessionToken({ durationSeconds: 900 });
  const later = new Date(Date.now() + 901_000);
  sts.now = () => later;
  const expired = await t.throwsAsync(client(sts, sessionOf(session), { now: () => later }).assumeRole({ roleArn: CODE_ROLE, roleSessionName: 'expired-x' }), { instanceOf: StsError });
  t.is(expired!.kind, 'expired-token');
  t.regex(expired!.message, /have expired \(ExpiredToken\): start their session again/);
  const unknown = await t.throwsAsync(client(sts, { accessKeyId: 'AKIADELETED000000009', secretAccessKey: 'x' }, { now: () => later }).getCallerIdentity(), { instanceOf: StsError });
  t.is(unknown!.kind, 'invalid-credentials');
  t.regex(unknown!.message, /\*+0009 \(InvalidClientTokenId\)/);
  const badToken = await t.throwsAsync(client(sts, { ...sessionOf(session), sessionToken: 'forged' }, { now: () => later }).getCallerIdentity(), { instanceOf: StsError });
  t.is(badToken!.kind, 'invalid-credentials');
});

test('throttling is retried with backoff and then succeeds; exhausted retries say so', async (t) => {
  const sts = await world(t);
  const waits: number[] = [];
  const sleep = async (ms: number) => void waits.push(ms);
  sts.throttle(2, 'GetSessionToken');
  const session = await client(sts, BOB, { sleep, retryBaseMs: 100 }).getSessionToken();
  t.truthy(session.sessionToken);
  t.is(sts.callCount('GetSessionToken'), 3);
  t.is(waits.length, 2);
  t.true(waits[0]! <= 100 && waits[1]! <= 200, `backoff ${waits.join(', ')} ms`);

  sts.throttle(10);
  const error = await t.throwsAsync(client(sts, BOB, { sleep, maxAttempts: 3 }).getCallerIdentity(), { instanceOf: StsError });
  t.is(error!.kind, 'throttled');
  t.is(error!.attempts, 3);
  t.is(error!.message, 'STS kept throttling GetCallerIdentity (Throttling) after 3 attempts: wait a minute and try again');
  t.is(sts.callCount('GetCallerIdentity'), 3);
});

test('5xx and a reset connection are retried; AccessDenied is not', async (t) => {
  const sts = await world(t);
  sts.failNext('*', { code: 'InternalFailure', message: 'oops', status: 500, type: 'Receiver' });
  sts.failNext('*', { code: 'ServiceUnavailable', message: 'busy', status: 503, type: 'Receiver' });
  t.is((await client(sts, BOB).getCallerIdentity()).account, '444444444444');
  t.is(sts.callCount('GetCallerIdentity'), 3);
  sts.resetConnection('GetCallerIdentity');
  t.is((await client(sts, BOB).getCallerIdentity()).account, '444444444444');
  t.is(sts.callCount('GetCallerIdentity'), 5);
  sts.failNext('GetCallerIdentity', { code: 'AccessDenied', message: 'no', status: 403 });
  await t.throwsAsync(client(sts, BOB).getCallerIdentity(), { instanceOf: StsError });
  t.is(sts.callCount('GetCallerIdentity'), 6);
});

test('an invalid MFA code after a lost answer says the code may have been used', async (t) => {
  const sts = await world(t);
  sts.resetConnection('GetSessionToken');
  sts.failNext('GetSessionToken', { code: 'AccessDenied', message: 'MultiFactorAuthentication failed with invalid MFA one time pass code. ', status: 403 });
  const error = await t.throwsAsync(client(sts, ALICE).getSessionToken({ serialNumber: ALICE_MFA, tokenCode: '123456' }), { instanceOf: StsError });
  t.regex(error!.message, /an earlier attempt whose answer was lost may have used this code/);
});

test('unreachable: refused, stalled (timeout), unknown host; each one line naming the endpoint', async (t) => {
  const sts = await world(t);
  const url = sts.url;
  sts.stall('GetCallerIdentity');
  const started = performance.now();
  const stalled = await t.throwsAsync(client(sts, BOB, { timeoutMs: 500 }).getCallerIdentity(), { instanceOf: StsError });
  t.true(performance.now() - started < 3_000);
  t.is(stalled!.kind, 'unreachable');
  t.is(stalled!.message, `cannot reach STS at ${url} (no answer within 500 ms): check your network or AWS_ENDPOINT_URL_STS`);
  t.is(sts.callCount('GetCallerIdentity'), 1, 'a timeout is not retried');

  await sts.close();
  const refused = await t.throwsAsync(client(sts, BOB).getCallerIdentity(), { instanceOf: StsError });
  t.is(refused!.kind, 'unreachable');
  t.true(refused!.message.startsWith(`cannot reach STS at ${url} (ECONNREFUSED`), refused!.message);
  t.true(refused!.message.endsWith('): check your network or AWS_ENDPOINT_URL_STS'));
  t.true(refused! instanceof UserError);

  const nowhere = await t.throwsAsync(
    createStsClient({ region: 'us-east-1', credentials: BOB, endpoint: 'http://sts.cc-helper-test.invalid/', timeoutMs: 5_000 }).getCallerIdentity(),
    { instanceOf: StsError },
  );
  t.is(nowhere!.kind, 'unreachable');
  t.regex(nowhere!.message, /^cannot reach STS at http:\/\/sts\.cc-helper-test\.invalid\/ \((ENOTFOUND|EAI_AGAIN|no answer)/);
});

test('an answer that is not STS (a proxy\'s HTML page, a 200 without credentials)', async (t) => {
  const html = createStsClient({
    region: 'us-east-1',
    credentials: BOB,
    endpoint: 'https://sts.us-east-1.amazonaws.com/',
    maxAttempts: 1,
    fetch: async () => new Response('<html><body>Bad gateway</body></html>', { status: 502 }),
  });
  const error = await t.throwsAsync(html.getCallerIdentity(), { instanceOf: StsError });
  t.is(error!.kind, 'server');
  t.is(error!.message, 'STS failed GetCallerIdentity with HTTP 502 (HTTP502) after 1 attempt: try again later');
  const empty = createStsClient({ region: 'us-east-1', credentials: BOB, endpoint: 'https://sts.us-east-1.amazonaws.com/', fetch: async () => new Response('<ok/>') });
  const missing = await t.throwsAsync(empty.getSessionToken(), { instanceOf: StsError });
  t.regex(missing!.message, /without the expected fields/);
});

test('no secret, token, signature or MFA code appears in any error message or trace line', async (t) => {
  const sts = await world(t);
  const traces: string[] = [];
  const messages: string[] = [];
  const trace = (m: string) => traces.push(m);
  const attempt = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (error) {
      messages.push((error as Error).message, String(error), JSON.stringify(error));
    }
  };
  const session = await client(sts, ALICE, { trace }).getSessionToken({ serialNumber: ALICE_MFA, tokenCode: '123456' });
  const signatures: string[] = [];
  const capture: typeof fetch = async (url, init) => {
    const auth = (init?.headers as Record<string, string>).authorization ?? '';
    signatures.push(/Signature=([0-9a-f]+)/.exec(auth)?.[1] ?? '');
    return fetch(url, init);
  };
  const withSession = client(sts, sessionOf(session), { trace, fetch: capture });
  // A misbehaving endpoint echoing the caller's secret, token and MFA code back in its messages.
  const echo = `secret ${session.secretAccessKey} token ${session.sessionToken} code 234567 external ext-id-xyzzy-0001`;
  for (const code of ['AccessDenied', 'ValidationError', 'InternalFailure', 'SomethingNew', 'SignatureDoesNotMatch']) {
    sts.failNext('*', { code, message: echo, status: code === 'InternalFailure' ? 500 : 400 }, code === 'InternalFailure' ? 4 : 1);
    await attempt(withSession.assumeRole({ roleArn: PARTNER_ROLE, roleSessionName: 'alice', externalId: 'ext-id-xyzzy-0001', serialNumber: ALICE_MFA, tokenCode: '234567' }));
  }
  await attempt(client(sts, { ...ALICE, secretAccessKey: 'wrong/secret+value000' }, { trace }).getCallerIdentity());
  await attempt(client(sts, ALICE, { trace }).getSessionToken({ serialNumber: ALICE_MFA, tokenCode: '999999' }));
  await attempt(client(sts, ALICE, { trace }).getSessionToken({ serialNumber: ALICE_MFA, tokenCode: '12ab56' }));
  sts.stall();
  await attempt(client(sts, ALICE, { trace, timeoutMs: 300 }).getCallerIdentity());
  await sts.close();
  await attempt(client(sts, sessionOf(session), { trace }).getCallerIdentity());

  t.true(messages.length >= 9 * 3, `${messages.length} messages`);
  t.true(traces.length > 10);
  const secrets = [
    ALICE.secretAccessKey,
    BOB.secretAccessKey,
    'wrong/secret+value000',
    session.secretAccessKey,
    session.sessionToken,
    '234567',
    '999999',
    '12ab56',
    'ext-id-xyzzy-0001',
    ...signatures.filter((s) => s.length === 64),
  ];
  for (const text of [...messages, ...traces]) {
    t.false(/[\r\n]/.test(text) && messages.includes(text), `one line: ${text}`);
    for (const secret of secrets) t.false(text.includes(secret), `"${text}" holds a secret`);
  }
  t.true(messages.some((m) => m.includes('[redacted]')), 'echoed values were redacted, not passed through');
  if (process.env.CC_SHOW_MESSAGES) t.log([...new Set(messages.filter((m) => !m.startsWith('{')))].join('\n'));
});

// ---------------------------------------------------------------------------------------------
// Endpoint and XML

test('endpoint: AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL, then the regional endpoint', (t) => {
  t.deepEqual(stsEndpoint('eu-west-1', {}), { url: 'https://sts.eu-west-1.amazonaws.com/', source: 'region' });
  t.is(stsEndpoint('cn-north-1', {}).url, 'https://sts.cn-north-1.amazonaws.com.cn/');
  t.is(stsEndpoint('us-gov-west-1', {}).url, 'https://sts.us-gov-west-1.amazonaws.com/');
  t.deepEqual(stsEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://localhost:4566' }), { url: 'http://localhost:4566/', source: 'AWS_ENDPOINT_URL' });
  t.deepEqual(stsEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_ENDPOINT_URL_STS: 'https://sts.example/base?x=1#y' }), {
    url: 'https://sts.example/base',
    source: 'AWS_ENDPOINT_URL_STS',
  });
  t.is(stsEndpoint('eu-west-1', { AWS_ENDPOINT_URL_STS: 'http://x', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).url, 'https://sts.eu-west-1.amazonaws.com/');
  t.throws(() => stsEndpoint('eu-west-1', { AWS_ENDPOINT_URL_STS: 'ftp://x' }), { instanceOf: UserError, message: /http:\/\/ or https:\/\// });
  t.throws(() => stsEndpoint('eu-west-1', { AWS_ENDPOINT_URL_STS: 'https://user:pw@x' }), { instanceOf: UserError });
  t.throws(() => stsEndpoint('eu-west-1', { AWS_ENDPOINT_URL_STS: 'not a url' }), { instanceOf: UserError });
  t.throws(() => stsEndpoint('evil.example/', {}), { instanceOf: UserError, message: /not an AWS region name/ });
});

test('a custom endpoint path is posted to and signed', async (t) => {
  const sts = await world(t);
  t.is((await createStsClient({ region: 'us-east-1', credentials: BOB, endpoint: `${sts.url}some/path` }).getCallerIdentity()).account, '444444444444');
});

test('XML: entities, numeric references, CDATA, attributes, self-closing', (t) => {
  t.is(unescapeXml('a &lt;b&gt; &amp;amp; &quot;&apos; &#47;&#x2B;&#x3d; &bogus;'), 'a <b> &amp; "\' /+= &bogus;');
  t.is(unescapeXml('x<![CDATA[&lt; stays]]>y&amp;'), 'x&lt; staysy&');
  t.is(xmlText('<R xmlns="n"><Code a="1">  Throttling </Code></R>', 'Code'), 'Throttling');
  t.is(xmlText('<Arn/>', 'Arn'), '');
  t.is(xmlText('<ArnX>1</ArnX>', 'Arn'), undefined);
});
