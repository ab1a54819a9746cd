// Files an attacker (or an accident) puts where cc-helper reads (issue 21): FIFOs, /dev/zero,
// caches written by another user or writable by anyone, in folders anyone can write. What a user
// relies on: a get still ends at once, in bounded memory, and signs only with credentials no one
// else could have planted; what is ignored is said in one line. Real processes, real files in a
// temporary HOME, the loopback STS stand-in; the tests run as root, so "another user" is uid
// 65534 made with chown (root's own files count as "this user's" for root, as in ssh).
import type { ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeAwsHome, request, runHelper, runHelperMeasured, type AwsHome, type HelperResult, type MeasuredResult } from '../standins/helper-process.js';
import { startStsStandIn, type StsStandIn } from '../standins/sts-standin.js';
import { needs, POSIX, ROOT } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason. Files of
// another user need root to make.
const test = needs(POSIX);
const rootTest = needs(POSIX, ROOT);

const USER = { accessKeyId: 'AKIAHOSTILEFILES0001', secretAccessKey: 'HoStIlE/FiLeS+SeCrEt=000000000000000000' };
const ROLE_ARN = 'arn:aws:iam::444455556666:role/CodeCommitPush';
const GET = request({ protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com', path: 'v1/repos/demo' });
const NOBODY = 65534;
const asRoot = process.geteuid?.() === 0;
/** Keys an attacker plants in a cache: they must never sign. */
const PLANTED = { AccessKeyId: 'ASIAPLANTEDBYOTHER01', SecretAccessKey: 'planted/secret+key=0000000000000000000000', SessionToken: 'planted-session-token' };

interface World {
  home: AwsHome;
  sts: StsStandIn;
  env: NodeJS.ProcessEnv;
  get(profile: string, extra?: NodeJS.ProcessEnv): Promise<HelperResult>;
  measured(profile: string, extra?: NodeJS.ProcessEnv): Promise<MeasuredResult>;
}

async function world(t: ExecutionContext, config = `[profile role]\nrole_arn = ${ROLE_ARN}\nsource_profile = dev\nregion = us-east-1\n`): Promise<World> {
  const home = makeAwsHome({ credentials: `[dev]\naws_access_key_id = ${USER.accessKeyId}\naws_secret_access_key = ${USER.secretAccessKey}\n`, config });
  const sts = await startStsStandIn({
    keys: { [USER.accessKeyId]: { secretAccessKey: USER.secretAccessKey, account: '111122223333', userName: 'dev' } },
    roles: { [ROLE_ARN]: { account: '444455556666' } },
  });
  t.teardown(async () => {
    await sts.close();
    home.cleanup();
  });
  const env: NodeJS.ProcessEnv = { ...home.env, AWS_ENDPOINT_URL_STS: sts.url, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  return {
    home,
    sts,
    env,
    // 20 s: a read that blocks (a FIFO) is killed, and the test fails on the signal.
    get: (profile, extra = {}) => runHelper(['--profile', profile, 'get'], GET, { ...env, ...extra }, 20_000),
    measured: (profile, extra = {}) => runHelperMeasured(['--profile', profile, 'get'], GET, { ...env, ...extra }, 20_000),
  };
}

function cacheDir(w: World): string {
  return join(w.home.home, '.aws', 'cli', 'cache');
}

/** The role's cache file, made by one real get. */
async function warmCache(t: ExecutionContext, w: World): Promise<string> {
  const first = await w.get('role');
  t.is(first.code, 0, first.stderr);
  const files = readdirSync(cacheDir(w)).filter((f) => f.endsWith('.json'));
  t.is(files.length, 1);
  return join(cacheDir(w), files[0]!);
}

function plantedCache(): string {
  return JSON.stringify({ Credentials: { ...PLANTED, Expiration: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z') } });
}

/** The get ignored the cache with the one warning, assumed the role again and signed with what STS issued. */
function assertRefetched(t: ExecutionContext, w: World, r: HelperResult, file: string, reason: string, assumeRolesBefore: number): void {
  t.is(r.signal, null, 'ended by itself');
  t.is(r.code, 0);
  t.is(r.stderr, `cc-helper: ignoring the cached credentials in ${file}, which ${reason}: getting new ones instead\n`);
  t.is(w.sts.callCount('AssumeRole'), assumeRolesBefore + 1, 'the role was assumed again');
  const issued = w.sts.issuedCredentials().at(-1)!;
  t.true(r.stdout.startsWith(`username=${issued.accessKeyId}%${issued.sessionToken}\npassword=`), r.stdout);
  t.false(r.stdout.includes(PLANTED.AccessKeyId), 'the planted keys never sign');
}

test('a FIFO in place of a role cache file: the get ignores it at once, says so, and fetches again', async (t) => {
  const w = await world(t);
  const file = await warmCache(t, w);
  rmSync(file);
  execFileSync('mkfifo', [file]);
  assertRefetched(t, w, await w.get('role'), file, 'is a FIFO, not a regular file', 1);
});

test('/dev/zero in place of a role cache file: ignored, not read (bounded memory)', async (t) => {
  const w = await world(t);
  const file = await warmCache(t, w);
  rmSync(file);
  symlinkSync('/dev/zero', file);
  const r = await w.measured('role');
  assertRefetched(t, w, r, file, 'is a character device, not a regular file', 1);
  t.true(r.peakRssMb < 150, `peak RSS ${r.peakRssMb.toFixed(0)} MB`);
});

test('a role cache planted by another user, or writable by anyone, or in a folder anyone can write: never signs', async (t) => {
  const w = await world(t);
  const file = await warmCache(t, w);
  const cases: Array<[string, () => void, string]> = [
    ['mode 0666', () => chmodSync(file, 0o666), 'can be written by anyone (mode 0666)'],
    ['mode 0660', () => chmodSync(file, 0o660), 'can be written by its group (mode 0660)'],
    ['folder 0777', () => chmodSync(cacheDir(w), 0o777), `is in ${cacheDir(w)}, which anyone can write (mode 0777)`],
  ];
  if (asRoot) {
    cases.unshift(['owned by nobody', () => chownSync(file, NOBODY, NOBODY), `belongs to uid ${NOBODY}, not to you (uid 0) or root`]);
    cases.push(['folder owned by nobody', () => chownSync(join(w.home.home, '.aws', 'cli'), NOBODY, NOBODY), `is in ${join(w.home.home, '.aws', 'cli')}, which belongs to uid ${NOBODY}, not to you or root`]);
  }
  for (const [what, plant, reason] of cases) {
    writeFileSync(file, plantedCache(), { mode: 0o600 });
    chmodSync(file, 0o600);
    plant();
    const before = w.sts.callCount('AssumeRole');
    const r = await w.get('role');
    t.log(what);
    assertRefetched(t, w, r, file, reason, before);
    // Put the folders back for the next case (the refetch wrote a fresh 0600 file of ours).
    chmodSync(cacheDir(w), 0o700);
    chownSync(join(w.home.home, '.aws', 'cli'), process.getuid!(), process.getgid!());
  }
  // A folder the user's group may write (umask 002, as the AWS CLI then makes it) is fine.
  chmodSync(cacheDir(w), 0o775);
  const before = w.sts.callCount('AssumeRole');
  const ok = await w.get('role');
  t.is(ok.stderr, '');
  t.is(w.sts.callCount('AssumeRole'), before, 'the cache served');
});

test('a FIFO, /dev/zero or another user\'s file as the SSO login token: one line at once, no portal call', async (t) => {
  const w = await world(t, '[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n');
  const dir = join(w.home.home, '.aws', 'sso', 'cache');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const token = join(dir, `${createHash('sha1').update('corp').digest('hex')}.json`);
  const env = { AWS_ENDPOINT_URL_SSO: 'http://127.0.0.1:9/' }; // never reached: port 9 discards
  const login = (why: string) => `cc-helper: profile "sso" needs an SSO login: run \`aws sso login --profile sso\` and try again (not using the SSO login in ${token}, which ${why})\n`;
  execFileSync('mkfifo', [token]);
  const fifo = await w.get('sso', env);
  t.is(fifo.signal, null, 'ended by itself');
  t.is(fifo.stdout, 'quit=1\n');
  t.is(fifo.stderr, login('is a FIFO, not a regular file'));
  rmSync(token);
  symlinkSync('/dev/zero', token);
  const zero = await w.measured('sso', env);
  t.is(zero.stderr, login('is a character device, not a regular file'));
  t.true(zero.peakRssMb < 150, `peak RSS ${zero.peakRssMb.toFixed(0)} MB`);
  if (!asRoot) return;
  rmSync(token);
  writeFileSync(token, JSON.stringify({ accessToken: 'planted-token', expiresAt: new Date(Date.now() + 3600_000).toISOString() }), { mode: 0o600 });
  chownSync(token, NOBODY, NOBODY);
  const theirs = await w.get('sso', env);
  t.is(theirs.stderr, login(`belongs to uid ${NOBODY}, not to you (uid 0) or root`));
});

test('a FIFO or /dev/zero as AWS_CA_BUNDLE or a profile\'s ca_bundle: one line at once, quit=1, bounded memory', async (t) => {
  const w = await world(t, `[profile role]\nrole_arn = ${ROLE_ARN}\nsource_profile = dev\nregion = us-east-1\n[profile withca]\nrole_arn = ${ROLE_ARN}\nsource_profile = dev\nregion = us-east-1\nca_bundle = ${'CA_PLACEHOLDER'}\n`);
  const fifo = join(w.home.home, 'ca-fifo.pem');
  execFileSync('mkfifo', [fifo]);
  for (const [file, kind] of [[fifo, 'a FIFO'], ['/dev/zero', 'a character device']] as const) {
    const viaEnv = await w.measured('role', { AWS_CA_BUNDLE: file });
    t.is(viaEnv.signal, null, 'ended by itself');
    t.is(viaEnv.stdout, 'quit=1\n');
    t.is(viaEnv.stderr, `cc-helper: cannot use the CA bundle ${file} (AWS_CA_BUNDLE): it is ${kind}, not a regular file; fix the path or unset it\n`);
    t.true(viaEnv.peakRssMb < 150, `peak RSS ${viaEnv.peakRssMb.toFixed(0)} MB`);
    writeFileSync(w.home.configFile, readFileSync(w.home.configFile, 'utf8').replace(/^ca_bundle = .*$/m, `ca_bundle = ${file}`));
    const viaProfile = await w.measured('withca');
    t.is(viaProfile.stderr, `cc-helper: cannot use the CA bundle ${file} (ca_bundle of profile "withca"): it is ${kind}, not a regular file; fix the path or unset it\n`);
  }
  t.is(w.sts.callCount(), 0);
});

test('a FIFO as a web identity profile\'s web_identity_token_file (read by the SDK until now): one line at once', async (t) => {
  const w = await world(t, `[profile wi]\nrole_arn = ${ROLE_ARN}\nweb_identity_token_file = TOKEN\nregion = us-east-1\n`);
  const fifo = join(w.home.home, 'token-fifo');
  execFileSync('mkfifo', [fifo]);
  writeFileSync(w.home.configFile, readFileSync(w.home.configFile, 'utf8').replace('TOKEN', fifo));
  const r = await w.get('wi');
  t.is(r.signal, null, 'ended by itself');
  t.is(r.stdout, 'quit=1\n');
  t.is(r.stderr, `cc-helper: cannot use the web_identity_token_file of profile "wi" (${fifo}): it is a FIFO, not a regular file; point it at the token file itself\n`);
});

rootTest('an account cache planted by another user does not vouch for a key: STS is asked, and the pin refuses', async (t) => {
  const w = await world(t);
  const dir = join(w.home.home, '.config', 'cc-helper');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'accounts.json');
  // The key belongs to 111122223333; the planted entry claims the pinned account.
  writeFileSync(file, JSON.stringify({ version: 1, accounts: { [USER.accessKeyId]: '999999999999' } }), { mode: 0o600 });
  chownSync(file, NOBODY, NOBODY);
  const r = await runHelper(['--profile', 'dev', '--account', '999999999999', 'get'], GET, w.env, 20_000);
  t.is(r.stdout, 'quit=1\n');
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines[0], `cc-helper: ignoring ${file}, which belongs to uid ${NOBODY}, not to you (uid 0) or root: asking STS for the accounts instead`);
  t.regex(lines[1]!, /belongs to account 111122223333, but this helper line is pinned to account 999999999999/);
  t.is(w.sts.callCount('GetCallerIdentity'), 1);
});

rootTest('the large-file memo, owned by another user, is not trusted: the file is read whole, with one warning', async (t) => {
  const filler = Array.from({ length: 1500 }, (_, i) => `[f${i}]\naws_access_key_id = AKIAFILLER${String(i).padStart(10, '0')}\naws_secret_access_key = filler/${i}\n`).join('\n');
  const w = await world(t);
  writeFileSync(w.home.credentialsFile, `${filler}\n[dev]\naws_access_key_id = ${USER.accessKeyId}\naws_secret_access_key = ${USER.secretAccessKey}\n`);
  t.true(statSync(w.home.credentialsFile).size >= 64 * 1024);
  const memo = join(w.home.home, '.config', 'cc-helper', 'aws-files.json');
  const first = await w.get('dev');
  t.is(first.code, 0, first.stderr);
  t.true(readFileSync(memo, 'utf8').includes(w.home.credentialsFile), 'the memo now remembers the file');
  chownSync(memo, NOBODY, NOBODY);
  const r = await w.get('dev');
  t.regex(r.stdout, new RegExp(`^username=${USER.accessKeyId}\n`));
  t.is(r.stderr, `cc-helper: ignoring ${memo}, which belongs to uid ${NOBODY}, not to you (uid 0) or root: large AWS files are read whole instead\n`);
});

test('a FIFO as the vault file: vault add says so in one line instead of waiting for a writer forever', async (t) => {
  const w = await world(t);
  const vault = join(w.home.home, 'vault-fifo.json');
  execFileSync('mkfifo', [vault]);
  const r = await runHelper(['vault', 'add', 'p'], 'AKIAIOSFODNN7EXAMPLE\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n', { ...w.env, CC_HELPER_VAULT_FILE: vault, CC_HELPER_VAULT_PASSPHRASE: 'a passphrase' }, 20_000);
  t.is(r.signal, null, 'ended by itself');
  t.is(r.code, 1);
  t.is(r.stderr, `cc-helper: cannot read ${vault}: it is a FIFO, not a regular file\n`);
});
