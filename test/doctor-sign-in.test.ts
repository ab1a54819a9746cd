// `cc-helper doctor` on SSO and `aws login` profiles: what the cache files say about the sign-in,
// with no network (the GUI probe, which runs `git credential fill` for real, only ever finds
// material that signs offline here). A missing or ended sign-in is an error naming the command
// that signs in again, and then git's own `credential fill` fails too; a refreshable one says
// until when, and that cc-helper refreshes it.
import type { ExecutionContext } from 'ava';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCommand } from '../src/cli/args.js';
import { command, runDoctor } from '../src/cli/doctor-command.js';
import type { DoctorReport, Finding } from '../src/doctor/report.js';
import { ssoRoleCacheKey } from '../src/aws-files/cli-cache.js';
import { silentTrace } from '../src/support/trace.js';
import { request, runHelper } from '../standins/helper-process.js';
import { startIdentityCenterStandIn, ssoTokenCacheName } from '../standins/identity-center-standin.js';
import { makeSetupHome, type SetupHome } from './support/setup-home.js';
import { needs, POSIX } from './support/prerequisites.js';
import { startSigninStandIn } from '../standins/signin-standin.js';

const test = needs(POSIX);

const URL_X = 'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/x';
const ACCOUNT = '111122223333';
const cliTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const codes = (findings: readonly Finding[]) => findings.map((f) => `${f.severity}:${f.code}`);

async function doctor(h: SetupHome): Promise<{ code: number; text: string; report: DoctorReport }> {
  const run = async (argv: string[]) => {
    let stdout = '';
    const code = await runDoctor(parseCommand(argv, -1, 'doctor', command.spec), {
      stdout: (s) => (stdout += s),
      stderr: () => {},
      env: h.env as NodeJS.ProcessEnv,
      cwd: h.home,
      now: () => new Date(),
      trace: silentTrace,
    });
    return { code, stdout };
  };
  const text = await run([URL_X]);
  const json = await run([URL_X, '--json']);
  if (text.code !== json.code) throw new Error(`doctor and doctor --json disagree: ${text.code} vs ${json.code}`);
  return { code: json.code, text: text.stdout, report: JSON.parse(json.stdout) as DoctorReport };
}

/** Role credentials as the AWS CLI caches them for the sso profile's role. */
async function writeRoleCache(h: SetupHome, until: Date, session: { sessionName: string } | { startUrl: string } = { sessionName: 'corp' }): Promise<void> {
  await mkdir(join(h.home, '.aws', 'cli', 'cache'), { recursive: true });
  await writeFile(
    join(h.home, '.aws', 'cli', 'cache', `${ssoRoleCacheKey('Developer', ACCOUNT, session)}.json`),
    JSON.stringify({ ProviderType: 'sso', Credentials: { AccessKeyId: 'ASIAROLECACHED000001', SecretAccessKey: 'role/cached+secret000000000000000000000', SessionToken: 'cachedToken', Expiration: cliTime(until), AccountId: ACCOUNT } }),
    { mode: 0o600 },
  );
}

const SSO_CONFIG =
  `[profile sso]\nsso_session = corp\nsso_account_id = ${ACCOUNT}\nsso_role_name = Developer\nregion = us-east-1\n` +
  '[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n';

async function ssoHome(t: ExecutionContext, config = SSO_CONFIG, profile = 'sso'): Promise<SetupHome> {
  const h = await makeSetupHome(t);
  await writeFile(h.env.AWS_CONFIG_FILE!, config);
  t.is((await h.setup(['setup', '--profile', profile])).code, 0);
  await mkdir(join(h.home, '.aws', 'sso', 'cache'), { recursive: true, mode: 0o700 });
  return h;
}

test('an SSO profile with no sign-in at all: an error naming `aws sso login`, never "a push would work" (and git indeed gets no password)', async (t) => {
  const h = await ssoHome(t);
  const r = await doctor(h);
  t.is(r.code, 1);
  const target = r.report.targets[0]!;
  t.deepEqual(codes(target.findings), ['error:sso-login-needed']);
  t.is(target.findings[0]!.fix, 'aws sso login --profile sso');
  t.like(target.credentials!.signIn, { kind: 'sso', profile: 'sso', state: 'missing', refreshable: false, command: 'aws sso login --profile sso' });
  t.regex(r.text, /error: profile "sso": there is no SSO login \(no token in .*\.aws\/sso\/cache\/[0-9a-f]{40}\.json\): pushes need a new SSO login\n\s+fix: aws sso login --profile sso\n/);
  t.regex(r.text, /result: 1 problem would stop a push\n$/);
  t.false(r.text.includes('a push would work'));
  t.is((await h.fill(URL_X)).username, undefined, 'the same shell\'s git credential fill fails too');
});

test('an SSO token that expired but refreshes, with role credentials cached: a push works, and doctor says until when and that it refreshes', async (t) => {
  const h = await ssoHome(t);
  const center = await startIdentityCenterStandIn();
  t.teardown(() => center.close());
  const token = center.signIn();
  const expiredAt = cliTime(new Date(Date.now() - 60_000));
  await writeFile(join(h.home, '.aws', 'sso', 'cache', ssoTokenCacheName('corp')), JSON.stringify({ ...token, expiresAt: expiredAt }), { mode: 0o600 });
  const roleUntil = new Date(Date.now() + 50 * 60_000);
  await writeRoleCache(h, roleUntil);
  const r = await doctor(h);
  t.is(r.code, 0, r.text);
  const target = r.report.targets[0]!;
  t.deepEqual(codes(target.findings), ['info:sso-login-refreshes']);
  t.like(target.credentials!.signIn, { kind: 'sso', state: 'refreshes', refreshable: true, expiresAt: expiredAt });
  t.regex(target.findings[0]!.message, /the SSO access token expired at .*; cc-helper refreshes it when fewer than 15 minutes are left, while the Identity Center session lasts \(8 h from `aws sso login` by default; its end is not knowable here/);
  t.regex(target.findings[0]!.message, new RegExp(`the role credentials cached from it serve pushes until ${cliTime(roleUntil)}`));
  t.regex(r.text, /sign-in: SSO login in .* \(profile sso\): due for refresh \(current token until .*\); cc-helper refreshes it while the session lasts\n/);
  t.like(target.gui, { ok: true });
  t.is(center.calls.CreateToken + center.calls.GetRoleCredentials, 0, 'doctor asked nothing');
  for (const secret of [token.refreshToken, token.clientSecret, token.accessToken]) t.false(r.text.includes(secret));
});

test('a refresh the last get could not make (the session ended) is an error in doctor, with its reason, until a new sign-in replaces the file', async (t) => {
  const h = await ssoHome(t);
  const center = await startIdentityCenterStandIn();
  t.teardown(() => center.close());
  const file = join(h.home, '.aws', 'sso', 'cache', ssoTokenCacheName('corp'));
  await writeFile(file, JSON.stringify({ ...center.signIn(), expiresAt: cliTime(new Date(Date.now() - 60_000)) }), { mode: 0o600 });
  center.endSessions();
  const get = await runHelper(['--profile', 'sso', 'get'], request({ protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com', path: 'v1/repos/x' }), { ...h.env, AWS_ENDPOINT_URL_SSO_OIDC: center.url, AWS_ENDPOINT_URL_SSO: center.url } as NodeJS.ProcessEnv);
  t.is(get.stdout, 'quit=1\n');
  const after = await doctor(h);
  t.is(after.code, 1, after.text);
  const target = after.report.targets[0]!;
  t.deepEqual(codes(target.findings), ['error:sso-login-needed']);
  t.regex(target.findings[0]!.message, /^profile "sso": the last refresh of the SSO login, at .*Z, failed \(the SSO session has ended \(InvalidGrantException\)\), and the SSO login expired at .*: pushes need a new sign-in$/);
  t.is(target.findings[0]!.fix, 'aws sso login --profile sso');
  t.like(target.credentials!.signIn, { state: 'ended', refreshable: true });
  // A new `aws sso login` writes a new file: the failure was about the old one. (Role credentials
  // cached meanwhile, so that doctor's GUI probe signs offline.)
  await writeFile(file, JSON.stringify({ ...center.signIn(), expiresAt: cliTime(new Date(Date.now() - 30_000)) }), { mode: 0o600 });
  await writeRoleCache(h, new Date(Date.now() + 50 * 60_000));
  const again = await doctor(h);
  t.is(again.code, 0, again.text);
  t.deepEqual(codes(again.report.targets[0]!.findings), ['info:sso-login-refreshes']);
});

test('an expired SSO token that cannot refresh (no refresh keys, or a legacy profile) is an error; a valid legacy one says it will not refresh', async (t) => {
  const h = await ssoHome(t);
  const file = join(h.home, '.aws', 'sso', 'cache', ssoTokenCacheName('corp'));
  await writeFile(file, JSON.stringify({ startUrl: 'https://d-1234567890.awsapps.com/start', region: 'us-east-1', accessToken: 'aoaTOKEN', expiresAt: cliTime(new Date(Date.now() - 60_000)) }), { mode: 0o600 });
  const r = await doctor(h);
  t.is(r.code, 1);
  t.deepEqual(codes(r.report.targets[0]!.findings), ['error:sso-login-needed']);
  t.regex(r.report.targets[0]!.findings[0]!.message, /the SSO login expired at .* and cannot be refreshed: it holds no refreshToken, clientId, clientSecret, registrationExpiresAt/);

  const legacy = await ssoHome(t, `[profile old]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = ${ACCOUNT}\nsso_role_name = Developer\n`, 'old');
  const { createHash } = await import('node:crypto');
  const legacyFile = join(legacy.home, '.aws', 'sso', 'cache', `${createHash('sha1').update('https://d-1234567890.awsapps.com/start').digest('hex')}.json`);
  await writeFile(legacyFile, JSON.stringify({ startUrl: 'x', region: 'us-east-1', accessToken: 'aoaTOKEN', expiresAt: cliTime(new Date(Date.now() + 3 * 3600_000)), refreshToken: 'r', clientId: 'c', clientSecret: 's', registrationExpiresAt: cliTime(new Date(Date.now() + 86400_000)) }), { mode: 0o600 });
  // Role credentials cached, so that doctor's GUI probe (a real get) signs offline.
  await writeRoleCache(legacy, new Date(Date.now() + 50 * 60_000), { startUrl: 'https://d-1234567890.awsapps.com/start' });
  const valid = await doctor(legacy);
  t.like(valid.report.targets[0]!.gui, { ok: true });
  const finding = valid.report.targets[0]!.findings.find((f) => f.code === 'sso-login-valid');
  t.truthy(finding, valid.text);
  t.regex(finding!.message, /valid until .* \(1\d\d min left\) and cannot be refreshed \(the profile has no sso_session \(a legacy SSO profile/);
  t.is(finding!.fix, 'aws sso login --profile old when it ends');
});

const loginConfig = (session: string) => `[profile console]\nlogin_session = ${session}\nregion = us-east-1\n`;

test('an aws login profile: no cache is an error naming `aws login`; valid credentials say until when and that they refresh; an untrusted cache is an error', async (t) => {
  const signin = await startSigninStandIn();
  t.teardown(() => signin.close());
  const login = signin.signIn({ account: ACCOUNT });
  const h = await makeSetupHome(t);
  await writeFile(h.env.AWS_CONFIG_FILE!, loginConfig(login.loginSession) + `[profile push]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/Push\nsource_profile = console\n`);
  t.is((await h.setup(['setup', '--profile', 'console'])).code, 0);
  const none = await doctor(h);
  t.is(none.code, 1);
  t.deepEqual(codes(none.report.targets[0]!.findings), ['error:login-needed']);
  t.is(none.report.targets[0]!.findings[0]!.fix, 'aws login --profile console');
  t.like(none.report.targets[0]!.credentials, { kind: 'login', detail: `aws login session ${login.loginSession}` });
  t.regex(none.text, /result: 1 problem would stop a push\n$/);

  const dir = join(h.home, '.aws', 'login', 'cache');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const until = new Date(Date.now() + 12 * 60_000);
  await writeFile(join(dir, login.cacheFileName), JSON.stringify({ ...login.token, accessToken: { ...login.token.accessToken, expiresAt: cliTime(until) } }), { mode: 0o600 });
  const valid = await doctor(h);
  t.is(valid.code, 0, valid.text);
  const target = valid.report.targets[0]!;
  t.deepEqual(codes(target.findings), ['info:login-refreshes']);
  t.like(target.credentials!.signIn, { kind: 'login', profile: 'console', state: 'valid', refreshable: true, expiresAt: cliTime(until), command: 'aws login --profile console' });
  t.regex(target.findings[0]!.message, /valid until .* \(1[01] min left\); cc-helper refreshes them when fewer than 5 minutes are left, while the sign-in session lasts \(12 h from `aws login` by default; its end is not knowable here/);
  t.like(target.gui, { ok: true });
  t.is(signin.calls, 0);
  for (const secret of [login.token.refreshToken, login.token.accessToken.secretAccessKey, 'PRIVATE KEY']) t.false(valid.text.includes(secret));

  await chmod(join(dir, login.cacheFileName), 0o646);
  const open = await doctor(h);
  t.is(open.code, 1);
  t.regex(open.report.targets[0]!.findings[0]!.message, /not using the aws login cache .*, which .*: pushes need a new `aws login`/);

  // A role whose source is the login profile: the sign-in behind it, with the source's command.
  await chmod(join(dir, login.cacheFileName), 0o600);
  await writeFile(join(dir, login.cacheFileName), JSON.stringify({ ...login.token, dpopKey: 'not a key', accessToken: { ...login.token.accessToken, expiresAt: cliTime(new Date(Date.now() - 60_000)) } }), { mode: 0o600 });
  t.is((await h.setup(['setup', '--profile', 'push'])).code, 0);
  const role = await doctor(h);
  t.is(role.code, 1);
  t.like(role.report.targets[0]!.credentials, { kind: 'role', signIn: { kind: 'login', profile: 'console', state: 'ended' } });
  t.regex(role.report.targets[0]!.findings.find((f) => f.code === 'login-needed')!.message, /profile "console": the credentials of `aws login` expired at .* and cannot be refreshed: its DPoP key \(dpopKey\) is not an EC private key in PEM/);
});
