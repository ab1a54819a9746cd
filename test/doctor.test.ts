// `cc-helper doctor` on prepared configurations: a temporary HOME, real git reading real config
// files (GIT_CONFIG_GLOBAL), mappings made by the real setup command, and the STS stand-in on
// loopback for --online. Clock skew: the stand-in's clock (and so its `Date` header and its
// signature-age check) is moved, as if this machine's clock were off by that much.
import { appendFile, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCommand } from '../src/cli/args.js';
import { command, runDoctor } from '../src/cli/doctor-command.js';
import type { DoctorReport, Finding } from '../src/doctor/report.js';
import { writeSessionDefinition } from '../src/sessions/session-definitions.js';
import { silentTrace } from '../src/support/trace.js';
import { run } from '../standins/git-env.js';
import { HELPER_BIN } from '../standins/helper-process.js';
import { makeSetupHome, PROFILES, type SetupHome } from './support/setup-home.js';
import { startStsStandIn } from '../standins/sts-standin.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const URL_X = 'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/x';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const CODECOMMIT_SECTION = '[credential "https://git-codecommit.*.amazonaws.com"]';

async function doctor(h: SetupHome, argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const parsed = parseCommand(argv, -1, 'doctor', command.spec);
  let stdout = '';
  let stderr = '';
  const code = await runDoctor(parsed, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    env: (options.env ?? h.env) as NodeJS.ProcessEnv,
    cwd: options.cwd ?? h.home,
    now: () => new Date(),
    trace: silentTrace,
  });
  return { code, stdout, stderr };
}

async function doctorJson(h: SetupHome, argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = await doctor(h, [...argv, '--json'], options);
  return { ...r, report: JSON.parse(r.stdout) as DoctorReport };
}

const codes = (findings: readonly Finding[]) => findings.map((f) => `${f.severity}:${f.code}`);

test('a global storage helper without a reset is flagged with the fix; setup neutralises it', async (t) => {
  const h = await makeSetupHome(t);
  await writeFile(h.gitconfig, `[credential]\n\thelper = store\n${CODECOMMIT_SECTION}\n\thelper = codecommit --profile CodeCommitProfile\n\tuseHttpPath = true\n`);
  const before = await doctor(h, [URL_X]);
  t.is(before.code, 1);
  t.regex(before.stdout, /error: storage helper "store" \(.*\.gitconfig:2\) runs before cc-helper/);
  t.regex(before.stdout, /fix: reset it for CodeCommit URLs: put `helper =` before the cc-helper line in \[credential "https:\/\/git-codecommit\.\*\.amazonaws\.com"\]/);

  t.is((await h.setup(['setup', '--profile', 'CodeCommitProfile'])).code, 0);
  const after = await doctorJson(h, [URL_X]);
  t.is(after.code, 0, after.stdout);
  const target = after.report.targets[0]!;
  t.deepEqual(codes(target.findings), ['info:storage-helper-reset']);
  const store = target.helpers.find((x) => x.value === 'store')!;
  t.like(store, { kind: 'storage', runs: false, line: 2, file: h.gitconfig });
  t.like(target.helpers.at(-1), { kind: 'cc-helper', runs: true });
  t.is(target.profile?.name, 'CodeCommitProfile');
});

test('a missing useHttpPath is flagged, exit status 1', async (t) => {
  const h = await makeSetupHome(t);
  await writeFile(h.gitconfig, `${CODECOMMIT_SECTION}\n\thelper =\n\thelper = codecommit --profile CodeCommitProfile\n`);
  const r = await doctor(h, [URL_X]);
  t.is(r.code, 1);
  t.regex(r.stdout, /error: useHttpPath is not set for this URL/);
  t.regex(r.stdout, /fix: git config --global credential\.https:\/\/git-codecommit\.\*\.amazonaws\.com\.useHttpPath true/);
  // As git does: the last matching value in config order wins, even over a more specific section.
  await appendFile(h.gitconfig, `[credential "${URL_X}"]\n\tuseHttpPath = true\n${CODECOMMIT_SECTION}\n\tuseHttpPath = false\n`);
  const off = await doctorJson(h, [URL_X]);
  t.is(off.code, 1);
  t.like(off.report.targets[0]!.useHttpPath, { value: false, line: 7, file: h.gitconfig });
});

test('per-directory mappings from setup --dir: each repository gets its directory profile', async (t) => {
  const h = await makeSetupHome(t);
  t.is((await h.setup(['setup', '--profile', 'AcmeCode', '--dir', join(h.home, 'clients', 'acme')])).code, 0);
  t.is((await h.setup(['setup', '--profile', 'GlobexCode', '--dir', join(h.home, 'clients', 'globex')])).code, 0);
  const acme = await h.repo('clients/acme/app', 'https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/acme-app');
  const globex = await h.repo('clients/globex/site', 'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/site');
  await h.git(['remote', 'add', 'github', 'https://github.com/example/site.git'], globex);

  const inAcme = await doctorJson(h, [], { cwd: join(acme) });
  t.is(inAcme.code, 0, inAcme.stdout);
  t.is(inAcme.report.repository, acme);
  t.is(inAcme.report.targets.length, 1);
  t.like(inAcme.report.targets[0], { remote: 'origin', region: 'eu-west-1', profile: { name: 'AcmeCode', reason: '--profile' } });

  const fromHome = await doctorJson(h, ['--repo', globex]);
  t.is(fromHome.code, 0, fromHome.stdout);
  t.like(fromHome.report.targets[0], { remote: 'origin', region: 'us-east-1', profile: { name: 'GlobexCode' } });
  t.deepEqual(fromHome.report.skippedRemotes, [{ remote: 'github', url: 'https://github.com/example/site.git', reason: 'not a CodeCommit host' }]);

  // Outside both directories no mapping applies: no helper at all.
  const outside = await h.repo('elsewhere', URL_X);
  const none = await doctorJson(h, [], { cwd: outside });
  t.is(none.code, 1);
  t.deepEqual(codes(none.report.targets[0]!.findings), ['error:no-helper', 'error:no-use-http-path']);
  // No repository and no URL: a usage error.
  const usage = await doctor(h, []);
  t.is(usage.code, 2);
  t.regex(usage.stderr, /not in a git repository: give a CodeCommit URL/);
});

test('an expired session is flagged; with a vault definition it is renewed on demand instead', async (t) => {
  const h = await makeSetupHome(t);
  t.is((await h.setup(['setup', '--profile', 'Expired'])).code, 0);
  await appendFile(
    h.env.AWS_SHARED_CREDENTIALS_FILE!,
    '\n[Expired]\naws_access_key_id = ASIAEXPIREDEXAMPLE\naws_secret_access_key = x\naws_session_token = FQoSECRETSESSIONTOKEN\nx_security_token_expires = 2020-01-02T03:04:05Z\nx_cc_helper_session = Expired\n',
  );
  const r = await doctorJson(h, [URL_X]);
  t.is(r.code, 1);
  const target = r.report.targets[0]!;
  t.deepEqual(target.credentials, {
    kind: 'vault session',
    accessKeyId: '**************MPLE',
    file: h.env.AWS_SHARED_CREDENTIALS_FILE!,
    expiresAt: '2020-01-02T03:04:05.000Z',
    expired: true,
    minutesLeft: target.credentials!.minutesLeft,
    renewal: null,
    detail: 'a session cc-helper wrote (vault item "Expired") but no longer has a definition for',
    signIn: null,
  });
  t.true(target.credentials!.minutesLeft! < 0);
  t.deepEqual(codes(target.findings), ['error:credentials-expired']);
  t.regex(target.findings[0]!.message, /expired at 2020-01-02T03:04:05\.000Z/);
  t.false(r.stdout.includes('FQoSECRETSESSIONTOKEN'));

  await writeSessionDefinition('Expired', { profile: 'Expired', source: { vault: 'file', item: 'Expired' }, mfaSerial: 'arn:aws:iam::111122223333:mfa/me', durationSeconds: 3600, region: 'us-east-1' }, h.env as NodeJS.ProcessEnv);
  const renewable = await doctorJson(h, [URL_X]);
  t.is(renewable.code, 0, renewable.stdout);
  t.like(renewable.report.targets[0]!.credentials, { kind: 'vault session', renewal: 'vault', expired: true });
  // The files say renewable; running the helper as git will shows what actually happens.
  t.deepEqual(codes(renewable.report.targets[0]!.findings), ['info:session-expired-renewable', 'warning:gui-git-fails']);
  t.regex(renewable.report.targets[0]!.gui!.detail, /the vault \(.*\) has no item "Expired" for profile "Expired": run `cc-helper vault add Expired`/);
});

test('[default] with keys is reported as never used, and as a likely canary', async (t) => {
  const h = await makeSetupHome(t);
  t.is((await h.setup(['setup', '--profile', 'CodeCommitProfile'])).code, 0);
  await appendFile(h.env.AWS_SHARED_CREDENTIALS_FILE!, `\n[default]\naws_access_key_id = AKIACANARYEXAMPLE1\naws_secret_access_key = ${SECRET}\n`);
  const r = await doctor(h, [URL_X]);
  t.is(r.code, 0, r.stdout);
  t.regex(r.stdout, /\ninfo: \[default\] in .*credentials holds keys \(\*{14}PLE1\): cc-helper never uses them .*your pushes use "CodeCommitProfile", so these look like a canary/);
  t.is(r.stdout.match(/\*{14}PLE1/g)?.length, 1, 'said once');
  t.false(r.stdout.includes('AKIACANARYEXAMPLE1'));
  t.false(r.stdout.includes(SECRET));
});

test('--online: account and ARN from STS; a clock 7 minutes off warns, 20 minutes off fails', async (t) => {
  const h = await makeSetupHome(t);
  t.is((await h.setup(['setup', '--profile', 'CodeCommitProfile'])).code, 0);
  const sts = await startStsStandIn({ keys: { [PROFILES.CodeCommitProfile!]: { secretAccessKey: SECRET, account: '111122223333', userName: 'pusher' } } });
  t.teardown(() => sts.close());
  const env = { ...h.env, AWS_ENDPOINT_URL_STS: sts.url } as NodeJS.ProcessEnv;

  const good = await doctorJson(h, [URL_X, '--online'], { env });
  t.is(good.code, 0, good.stdout);
  const online = good.report.targets[0]!.online!;
  t.like(online, { account: '111122223333', arn: 'arn:aws:iam::111122223333:user/pusher', error: null });
  t.true(Math.abs(online.clockSkewSeconds!) <= 2);

  sts.now = () => new Date(Date.now() + 7 * 60_000);
  const slow = await doctor(h, [URL_X, '--online'], { env });
  t.is(slow.code, 0, slow.stdout);
  t.regex(slow.stdout, /warning: this machine's clock is 7 min \d+ s behind AWS's/);
  t.regex(slow.stdout, /STS: account 111122223333/);

  sts.now = () => new Date(Date.now() + 20 * 60_000);
  const broken = await doctorJson(h, [URL_X, '--online'], { env });
  t.is(broken.code, 1);
  const target = broken.report.targets[0]!;
  t.true(Math.abs(target.online!.clockSkewSeconds! - 1200) <= 2, String(target.online!.clockSkewSeconds));
  t.is(target.online!.account, null);
  t.deepEqual(codes(target.findings), ['error:clock-skew', 'error:sts-failed']);
  t.false(broken.stdout.includes(SECRET));
});

test('--json from the built bin, field by field', async (t) => {
  const h = await makeSetupHome(t);
  await writeFile(h.gitconfig, `[credential]\n\thelper = osxkeychain\n`);
  t.is((await h.setup(['setup', '--profile', 'AcmeCode'])).code, 0);
  const repo = await h.repo('work/app', 'https://user@git-codecommit.eu-west-1.amazonaws.com/v1/repos/app');
  const r = await run(process.execPath, [HELPER_BIN, 'doctor', '--json'], { cwd: repo, env: h.env });
  t.is(r.code, 0, r.stderr + r.stdout);
  t.is(r.stderr, '');
  const report = JSON.parse(r.stdout) as DoctorReport;
  t.deepEqual(Object.keys(report), ['version', 'ok', 'exitCode', 'generatedAt', 'repository', 'online', 'targets', 'skippedRemotes', 'defaultProfile', 'findings']);
  t.is(report.version, 1);
  t.is(report.ok, true);
  t.is(report.exitCode, 0);
  t.false(Number.isNaN(Date.parse(report.generatedAt)));
  t.is(report.repository, repo);
  t.is(report.online, false);
  t.deepEqual(report.skippedRemotes, []);
  t.deepEqual(report.defaultProfile, { hasKeys: false, accessKeyId: null, file: null, looksLikeCanary: false });
  t.deepEqual(report.findings, []);
  t.is(report.targets.length, 1);
  const target = report.targets[0]!;
  t.deepEqual(Object.keys(target), ['url', 'remote', 'host', 'region', 'endpointKind', 'china', 'helpers', 'useHttpPath', 'profile', 'credentials', 'online', 'gui', 'findings']);
  // git itself, started like a GUI app (PATH=/usr/bin:/bin, no terminal), got a password.
  t.like(target.gui, { ok: true, detail: 'git got a password for ***********MPLE' });
  t.is(target.url, 'https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app');
  t.is(target.remote, 'origin');
  t.is(target.host, 'git-codecommit.eu-west-1.amazonaws.com');
  t.is(target.region, 'eu-west-1');
  t.is(target.endpointKind, 'standard');
  t.is(target.china, false);
  t.deepEqual(target.helpers[0], { value: 'osxkeychain', kind: 'storage', scope: 'global', file: h.gitconfig, line: 2, key: 'credential.helper', runs: false });
  const owned = target.helpers.slice(1);
  t.is(owned.length, 2);
  t.like(owned[0], { value: '', kind: 'reset', scope: 'global', key: 'credential.https://git-codecommit.*.amazonaws.com.helper', runs: false });
  t.like(owned[1], { kind: 'cc-helper', scope: 'global', runs: true });
  t.true(owned[0]!.file!.startsWith(h.ownedDir));
  t.is(owned[1]!.line, owned[0]!.line! + 1);
  t.like(target.useHttpPath, { value: true, file: owned[0]!.file, key: 'credential.https://git-codecommit.*.amazonaws.com.usehttppath' });
  t.deepEqual(target.profile, { name: 'AcmeCode', reason: '--profile', allowDefault: false, helperValue: owned[1]!.value, credentialsMode: 'profile', account: null });
  t.deepEqual(target.credentials, {
    kind: 'static',
    accessKeyId: '***********MPLE',
    file: h.env.AWS_SHARED_CREDENTIALS_FILE!,
    expiresAt: null,
    expired: false,
    minutesLeft: null,
    renewal: null,
    detail: 'long-term keys',
    signIn: null,
  });
  t.is(target.online, null);
  t.deepEqual(target.findings, [
    {
      severity: 'info',
      code: 'storage-helper-reset',
      message: `storage helper "osxkeychain" (${h.gitconfig}:2) is reset by a later \`helper =\` for this URL: it neither serves nor keeps CodeCommit passwords`,
      fix: null,
    },
  ]);
  t.false(r.stdout.includes('AKIAACMEEXAMPLE'));
});

test('AWS_PROFILE chooses when the helper line names none; no profile at all is a blocking problem', async (t) => {
  const h = await makeSetupHome(t);
  await writeFile(h.gitconfig, `${CODECOMMIT_SECTION}\n\thelper =\n\thelper = codecommit\n\tuseHttpPath = true\n`);
  const none = await doctorJson(h, [URL_X]);
  t.is(none.code, 1);
  t.deepEqual(codes(none.report.targets[0]!.findings), ['warning:helper-needs-path', 'error:no-profile']);
  const withEnv = await doctorJson(h, [URL_X], { env: { ...h.env, AWS_PROFILE: 'GlobexCode' } as NodeJS.ProcessEnv });
  t.is(withEnv.code, 0, withEnv.stdout);
  t.like(withEnv.report.targets[0]!.profile, { name: 'GlobexCode', reason: 'AWS_PROFILE' });
  const notCodeCommit = await doctor(h, ['https://github.com/x/y.git']);
  t.is(notCodeCommit.code, 2);
});

test('a helper line whose Node is gone is a blocking problem with the fix; setup again repairs it', async (t) => {
  const h = await makeSetupHome(t);
  t.is((await h.setup(['setup', '--profile', 'AcmeCode'])).code, 0);
  const owned = join(h.ownedDir, (await readdir(h.ownedDir))[0]!);
  // As after an nvm upgrade that removed the old version: the line names a Node that no longer exists.
  const gone = '/opt/nvm/versions/node/v20.1.0/bin/node';
  await writeFile(owned, (await readFile(owned, 'utf8')).replaceAll(`exec ${process.execPath} `, `exec ${gone} `));
  const r = await doctor(h, [URL_X]);
  t.is(r.code, 1, r.stdout);
  t.regex(r.stdout, new RegExp(`error: the cc-helper line \\(.*:\\d+\\) runs ${gone}, which no longer exists \\(Node or cc-helper moved`));
  t.regex(r.stdout, /fix: cc-helper setup --profile NAME again for that scope/);
  const again = await h.setup(['setup', '--profile', 'AcmeCode']);
  t.regex(again.stdout, /uses profile AcmeCode; its helper line changed \(Node or cc-helper moved/);
  t.true(again.stdout.includes(gone));
  t.is((await doctor(h, [URL_X])).code, 0);
  t.regex((await h.setup(['setup', '--profile', 'AcmeCode'])).stdout, /already uses profile AcmeCode; nothing changed/);
});

test('a `codecommit` helper line works from the shell but not from a GUI app: doctor runs git the way the app does and says so', async (t) => {
  const h = await makeSetupHome(t);
  const bin = join(h.home, 'bin');
  await mkdir(bin);
  await symlink(join(HELPER_BIN, '..', 'git-credential-codecommit.js'), join(bin, 'git-credential-codecommit'));
  h.env.PATH = `${bin}:${h.env.PATH ?? ''}`;
  await writeFile(h.gitconfig, `${CODECOMMIT_SECTION}\n\thelper =\n\thelper = codecommit --profile AcmeCode\n\tuseHttpPath = true\n`);
  t.is((await h.fill(URL_X)).username, PROFILES.AcmeCode, 'the shell finds it');
  const r = await doctorJson(h, [URL_X]);
  const target = r.report.targets[0]!;
  t.deepEqual(codes(target.findings), ['warning:helper-needs-path', 'warning:gui-git-fails']);
  t.like(target.gui, { ok: false, git: '/usr/bin/git' });
  t.regex(target.gui!.detail, /'credential-codecommit' is not a git command/);
  const text = await doctor(h, [URL_X]);
  t.regex(text.stdout, /result: a push would work from this shell, but not from a GUI client or IDE/);
  t.regex(text.stdout, /fix: cc-helper setup --profile NAME \(again, for that scope\): it writes a helper line with absolute paths/);
  // AWS_* set in the shell only is named, since the app would not see it.
  const withVar = await doctorJson(h, [URL_X], { env: { ...h.env, AWS_PROFILE: 'AcmeCode' } as NodeJS.ProcessEnv });
  t.deepEqual(withVar.report.targets[0]!.gui!.shellOnly, ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_PROFILE']);
  t.false(JSON.stringify(withVar.report).includes(SECRET));

  t.is((await h.setup(['setup', '--profile', 'AcmeCode'])).code, 0);
  const fixed = await doctorJson(h, [URL_X]);
  t.deepEqual(codes(fixed.report.targets[0]!.findings), []);
  t.true(fixed.report.targets[0]!.gui!.ok);
});

test('a remote URL with a password that is no valid URL is listed without the password (it was echoed whole)', async (t) => {
  const h = await makeSetupHome(t);
  const repo = join(h.home, 'repo');
  await run('git', ['init', '-q', repo], { env: h.env });
  await run('git', ['remote', 'add', 'origin', 'https://alice:S3cr3tPw@exa mple.com/x'], { env: h.env, cwd: repo });
  await run('git', ['remote', 'add', 'cc', URL_X], { env: h.env, cwd: repo });
  for (const argv of [[], ['--json']]) {
    const r = await doctor(h, argv, { cwd: repo });
    t.regex(r.stdout, /https:\/\/\*\*\*@exa mple\.com\/x/);
    t.false(/S3cr3tPw|alice/.test(r.stdout + r.stderr), r.stdout);
  }
});
