// Every profile name the AWS CLI accepts, end to end (issue 20): spaces, both quotes, # ; $ and
// backticks, backslashes, ] and [, a tab, blanks at the edges, a leading "-", non-ASCII letters.
// Each goes where a name goes: git's config file and git's shell (the helper line setup writes,
// run by real git), the AWS files (read back by botocore, the AWS CLI's reader, as the oracle),
// `get` by --profile and by AWS_PROFILE, doctor, setup --list/--remove, vault and session (the
// sections they write into the credentials file), and codecommit:: URLs. What nothing line-based
// can carry (a line break, NUL, other control characters) is refused with one line, and nothing
// is written.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkProfileName, chooseProfile } from '../src/aws-files/profile-choice.js';
import { loadProfileCredentials } from '../src/credentials/profile-credentials.js';
import { configProfileHeader } from '../src/aws-files/shared-file-parser.js';
import { helperLineOptions } from '../src/setup/helper-profile.js';
import { answerGet } from '../src/helper/get.js';
import { renderConfig } from '../src/setup/config-render.js';
import { helperLine } from '../src/setup/helper-line.js';
import { UserError } from '../src/support/errors.js';
import { profileOption } from '../src/support/shell-word.js';
import { startCodeCommitWorld, type CodeCommitWorld } from '../standins/codecommit-world.js';
import { makeHermeticGitEnv, run, runGit, type Env } from '../standins/git-env.js';
import { HELPER_BIN, makeAwsHome, PACKAGE_ROOT, request, runHelper } from '../standins/helper-process.js';
import { AWKWARD_PROFILE_NAMES, NASTY_PROFILE_NAMES, UNCARRIABLE_PROFILE_NAMES } from './support/profile-names.js';
import { makeSetupHome } from './support/setup-home.js';
import { startStsStandIn } from '../standins/sts-standin.js';
import { AWS_CLI_V2, needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason. The tests
// that ask botocore use Debian's AWS CLI 2.9 (its Python and botocore): Linux.
const test = needs(POSIX);
const botocoreTest = needs(POSIX, AWS_CLI_V2);

const GET = request({ protocol: 'https', host: 'git-codecommit.us-east-1.amazonaws.com', path: 'v1/repos/demo' });
const URL_US = 'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/demo';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const ORACLE = join(PACKAGE_ROOT, 'test', 'support', 'botocore-credentials.py');

/** A key id per name and file, so the username git gets back says which profile (and file) signed. */
function keyOf(name: string, file: 'credentials' | 'config' = 'credentials'): string {
  return `AKIA${file === 'config' ? 'C' : 'K'}${createHash('sha256').update(name).digest('hex').slice(0, 15).toUpperCase()}`;
}
const section = (header: string, key: string) => `[${header}]\naws_access_key_id = ${key}\naws_secret_access_key = ${SECRET}\n`;

/** Names whose `[NAME]` section can be in a credentials file ([DEFAULT] there is configparser's, not a profile). */
const IN_CREDENTIALS = [...new Set([...AWKWARD_PROFILE_NAMES, ...NASTY_PROFILE_NAMES])].filter((n) => n !== 'DEFAULT');

/** The Pythons whose botocore is asked: Debian's AWS CLI 2.9 (always, as CI installs it) and the pyenv one when there is one. */
function oraclePythons(): Array<{ label: string; python: string }> {
  const pythons = [{ label: "Debian awscli 2.9's botocore", python: '/usr/bin/python3' }];
  const pyenv = spawnSync('pyenv', ['which', 'python'], { encoding: 'utf8' });
  if (pyenv.status === 0 && pyenv.stdout.trim()) pythons.push({ label: 'pyenv botocore (AWS CLI v1)', python: pyenv.stdout.trim() });
  return pythons;
}

/** Each profile's access key id as botocore reads the two files, or its error's class name. */
function askBotocore(python: string, files: { credentials: string; config: string }, profiles: readonly string[]): Promise<Array<{ access_key?: string; error?: string }>> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [ORACLE], { env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: tmpdir() }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('error', reject);
    child.once('close', () => {
      const answers = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { access_key?: string; error?: string });
      if (answers.length !== profiles.length) reject(new Error(`${python} answered ${answers.length} of ${profiles.length}: ${err.slice(-1000)}`));
      else resolve(answers);
    });
    child.stdin.end(profiles.map((profile) => JSON.stringify({ ...files, profile }) + '\n').join(''));
  });
}

const skipOracle = process.env.CC_SKIP_ORACLE === '1';

// ---------------------------------------------------------------------------------------------
// The rule

test('names: every awkward name passes the check, every uncarriable one is refused with one line that says why', (t) => {
  for (const name of AWKWARD_PROFILE_NAMES) t.notThrows(() => checkProfileName(name), JSON.stringify(name));
  for (const name of UNCARRIABLE_PROFILE_NAMES) {
    const error = t.throws(() => checkProfileName(name), { instanceOf: UserError }, JSON.stringify(name));
    t.regex(error!.message, /^the profile name (is empty: name the AWS profile|"[^\n\r\u2028]*" holds a line break or another control character, which cannot be carried safely onto git's helper line or into the AWS files: rename the profile)/);
  }
  // Compared exactly, as botocore does: case, blanks and Unicode forms all count.
  t.is(chooseProfile({ flag: 'Dev', env: {}, allowDefault: false }).name, 'Dev');
  t.is(chooseProfile({ flag: ' dev ', env: {}, allowDefault: false }).name, ' dev ');
  t.is(chooseProfile({ flag: undefined, env: { AWS_PROFILE: 'de\u0301v' }, allowDefault: false }).name, 'de\u0301v');
  // An empty --profile= is an error, not a silent fall-back to AWS_PROFILE.
  t.throws(() => chooseProfile({ flag: '', env: { AWS_PROFILE: 'other' }, allowDefault: false }), { message: /^the profile name is empty/ });
});

// ---------------------------------------------------------------------------------------------
// The AWS files, with botocore as the oracle

botocoreTest('AWS files: for every awkward name, cc-helper signs with the keys botocore finds, in either file, by --profile and by AWS_PROFILE', async (t) => {
  const credentialsHome = makeAwsHome({ credentials: IN_CREDENTIALS.map((n) => section(n, keyOf(n))).join('\n'), config: '' });
  const configHome = makeAwsHome({ credentials: '', config: AWKWARD_PROFILE_NAMES.map((n) => section(configProfileHeader(n), keyOf(n, 'config'))).join('\n') });
  t.teardown(() => (credentialsHome.cleanup(), configHome.cleanup()));
  for (const [home, names, file] of [[credentialsHome, IN_CREDENTIALS, 'credentials'], [configHome, AWKWARD_PROFILE_NAMES, 'config']] as const) {
    const oracles = skipOracle ? [] : oraclePythons();
    const answers = await Promise.all(oracles.map((o) => askBotocore(o.python, { credentials: home.credentialsFile, config: home.configFile }, names)));
    for (const [i, name] of names.entries()) {
      const expected = keyOf(name, file);
      for (const [j, oracle] of oracles.entries()) t.is(answers[j]![i]!.access_key, expected, `${oracle.label} reads ${JSON.stringify(name)} from the ${file} file`);
      t.is((await loadProfileCredentials(name, { env: home.env })).credentials.accessKeyId, expected, `cc-helper reads ${JSON.stringify(name)} from the ${file} file`);
      for (const [flag, env] of [[name, home.env], [undefined, { ...home.env, AWS_PROFILE: name }]] as const) {
        const warnings: string[] = [];
        const answer = await answerGet({ input: GET, profileFlag: flag, allowDefault: false, env, now: () => new Date(), trace: () => {}, warn: (w) => warnings.push(w) });
        t.true(answer.startsWith(`username=${expected}\npassword=`), `get ${flag === undefined ? 'AWS_PROFILE' : '--profile'} ${JSON.stringify(name)}: ${warnings.join(' | ')}`);
      }
    }
    if (oracles.length < 2) t.log(`oracles for the ${file} file: ${oracles.map((o) => o.label).join(', ') || 'none (CC_SKIP_ORACLE=1)'}`);
  }
  // The bin itself, with the name only in the environment (AWS_PROFILE), for the nastiest names.
  for (const name of NASTY_PROFILE_NAMES) {
    const r = await runHelper(['get'], GET, { ...credentialsHome.env, AWS_PROFILE: name });
    t.regex(r.stdout, new RegExp(`^username=${keyOf(name)}\\npassword=\\d{8}T\\d{6}Z[0-9a-f]{64}\\n`), r.stderr);
  }
});

botocoreTest('AWS files: a config header without quotes cannot carry a spaced name, as in botocore; [DEFAULT] in the credentials file is no profile', async (t) => {
  // `[profile my profile]` is three words to shlex: botocore reads no profile there (the issue
  // supposed it would; both CLIs on this machine say "could not be found").
  const home = makeAwsHome({ credentials: section('DEFAULT', 'AKIADEFAULTSECTION01'), config: section('profile my profile', 'AKIAUNQUOTEDSPACES01') });
  t.teardown(home.cleanup);
  const oracles = skipOracle ? [] : oraclePythons();
  for (const oracle of oracles) {
    const answers = await askBotocore(oracle.python, { credentials: home.credentialsFile, config: home.configFile }, ['my profile', 'my', 'DEFAULT']);
    t.deepEqual(answers, [{ error: 'ProfileNotFound' }, { error: 'ProfileNotFound' }, { error: 'ProfileNotFound' }], oracle.label);
  }
  for (const name of ['my profile', 'my', 'DEFAULT']) {
    await t.throwsAsync(loadProfileCredentials(name, { env: home.env }), { message: new RegExp(`^profile "${name}" is not in `) }, name);
  }
});

// The peer cases: botocore's own test file for profile names (tests/unit/cfg/aws_bad_profile,
// used by test_configloader.py's test_bad_profiles_are_ignored), verbatim, and the names of the
// issue (`[foo bar baz]` in the credentials file, `[profile dév]`).
const BOTOCORE_AWS_BAD_PROFILE = `[default]
aws_access_key_id = default
aws_secret_access_key = default

# Bad format, must be 'profile "name"' for profiles.
[profile "personal" "otherkey"]
aws_access_key_id = default
aws_secret_access_key = default

# Spaces are allowed
[profile "my profile"]
aws_access_key_id = default
aws_secret_access_key = default

# Missing quote
[profile "missing end quote]

# Doesn't need to be in quotes
[profile personal1]
aws_access_key_id = access_personal1
aws_secret_access_key = key_personal1
`;

// On the old name check, "my profile", "foo bar baz" and "dév" were refused ("invalid profile name"): the three peer cases.
botocoreTest('peer cases: botocore\'s aws_bad_profile file and the issue\'s names sign as botocore reads them', async (t) => {
  const home = makeAwsHome({ credentials: section('foo bar baz', 'AKIAFOOBARBAZ0000001'), config: BOTOCORE_AWS_BAD_PROFILE + '\n' + section('profile dév', 'AKIADEVACCENT0000001') });
  t.teardown(home.cleanup);
  const cases: Array<[string, string | RegExp]> = [
    // botocore's test: exactly these three profiles ("my profile", personal1, default) come out of that file.
    ['my profile', 'default'],
    ['personal1', 'access_personal1'],
    ['personal', /^profile "personal" is not in /],
    ['missing end quote', /^profile "missing end quote" is not in /],
    ['foo bar baz', 'AKIAFOOBARBAZ0000001'],
    ['dév', 'AKIADEVACCENT0000001'],
  ];
  const oracles = skipOracle ? [] : oraclePythons();
  const answers = await Promise.all(oracles.map((o) => askBotocore(o.python, { credentials: home.credentialsFile, config: home.configFile }, cases.map(([n]) => n))));
  for (const [i, [name, expected]] of cases.entries()) {
    for (const [j, oracle] of oracles.entries()) {
      t.deepEqual(answers[j]![i], typeof expected === 'string' ? { access_key: expected } : { error: 'ProfileNotFound' }, `${oracle.label}: ${name}`);
    }
    // Through `get`, as git asks: the name checks, the files, the answer.
    const warnings: string[] = [];
    const answer = await answerGet({ input: GET, profileFlag: name, allowDefault: false, env: home.env, now: () => new Date(), trace: () => {}, warn: (w) => warnings.push(w) });
    if (typeof expected === 'string') t.true(answer.startsWith(`username=${expected}\npassword=`), `${name}: ${warnings.join(' | ')}`);
    else t.true(answer === 'quit=1\n' && warnings.length === 1 && expected.test(warnings[0]!), `${name}: ${warnings.join(' | ')}`);
  }
});

test('AWS files: credential_process, which the AWS SDK resolves, works for names its own INI parser cannot carry', async (t) => {
  // The SDK's parser reads `[my profile]` as a "my" section of nothing, cuts `[a #b]` at " #" and
  // trims `[ edges ]`; cc-helper hands it each profile under an alias, so none of that matters.
  const names = ['my profile', 'a #b', ' edges ', 'dév', 'constructor x'];
  const home = makeAwsHome({ config: '' });
  t.teardown(home.cleanup);
  const process = join(home.home, 'process.sh');
  writeFileSync(process, `#!/bin/sh\nprintf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "s"}' "$1"\n`, { mode: 0o755 });
  writeFileSync(home.configFile, names.map((n, i) => `[${configProfileHeader(n)}]\ncredential_process = ${process} AKIAPROCESS00000000${i}\n`).join('\n'));
  for (const [i, name] of names.entries()) {
    const loaded = await loadProfileCredentials(name, { env: home.env });
    t.is(loaded.source, 'process', name);
    t.is(loaded.credentials.accessKeyId, `AKIAPROCESS00000000${i}`, name);
  }
});

// ---------------------------------------------------------------------------------------------
// The helper line: git's config file and git's shell

test('helper line: for every awkward name, real git reads setup\'s line back and its shell hands cc-helper exactly that name (both helper forms)', async (t) => {
  const h = await makeHermeticGitEnv();
  t.teardown(h.cleanup);
  const bin = join(h.home, 'bin');
  await mkdir(bin);
  // Stand-ins that record their argv (NUL-separated: names hold tabs) and answer git.
  const record = (file: string) => `#!/bin/sh\nprintf '%s\\0' "$@" > '${file}'\ncat >/dev/null\nprintf 'username=u\\npassword=p\\n'\n`;
  const node = join(bin, 'node');
  writeFileSync(node, record(join(h.home, 'node-argv')), { mode: 0o755 });
  writeFileSync(join(bin, 'git-credential-codecommit'), record(join(h.home, 'short-argv')), { mode: 0o755 });
  const env: Env = { ...h.env, PATH: `${bin}:${h.env.PATH}` };
  const config = join(h.home, 'helper.gitconfig');
  const argv = (file: string) => readFileSync(join(h.home, file), 'utf8').split('\0').slice(0, -1);
  for (const name of AWKWARD_PROFILE_NAMES) {
    const shown = JSON.stringify(name);
    const profileWords = name.startsWith('-') ? [`--profile=${name}`] : ['--profile', name];
    // The `!` line setup writes, through git's own config quoting, read back by git.
    const line = helperLine(name, { node, script: '/opt/cc-helper/bin/cc-helper.js' });
    writeFileSync(config, await renderConfig([['credential.helper', line]], { env, cwd: h.home }), 'latin1');
    const value = await runGit(['config', '--file', config, '--get', 'credential.helper'], { env });
    t.is(value.stdout, `${line}\n`, `git reads the line back for ${shown}`);
    t.is(helperLineOptions(line).profile, name, `doctor reads ${shown} back`);
    const fill = await runGit(['credential', 'fill'], { env: { ...env, GIT_CONFIG_GLOBAL: config }, input: 'protocol=https\nhost=example.com\n\n' });
    t.is(fill.code, 0, fill.stderr);
    t.deepEqual(argv('node-argv'), ['/opt/cc-helper/bin/cc-helper.js', ...profileWords, 'get'], `git's shell ran the ! line for ${shown}`);
    // The short form `helper = codecommit --profile NAME`, written by hand (or `git config`):
    // git runs `git credential-codecommit <rest> get` through the same shell.
    const short = `codecommit ${profileOption(name)}`;
    writeFileSync(config, await renderConfig([['credential.helper', short]], { env, cwd: h.home }), 'latin1');
    t.is(helperLineOptions(short).profile, name, `doctor reads ${shown} back from the short form`);
    const shortFill = await runGit(['credential', 'fill'], { env: { ...env, GIT_CONFIG_GLOBAL: config }, input: 'protocol=https\nhost=example.com\n\n' });
    t.is(shortFill.code, 0, shortFill.stderr);
    t.deepEqual(argv('short-argv'), [...profileWords, 'get'], `git ran the short form for ${shown}`);
  }
  // Unquoted, the short form splits where git's shell splits it, and doctor says what git will run.
  t.is(helperLineOptions('codecommit --profile my profile').profile, 'my');
  t.is(helperLineOptions('codecommit --profile a;b').profile, 'a');
  t.is(helperLineOptions('codecommit --profile a #b').profile, 'a');
  t.is(helperLineOptions('codecommit --profile a\\ b\\#c').profile, 'a b#c');
});

// ---------------------------------------------------------------------------------------------
// setup, get through git, doctor, --list, --remove: the real cc-helper

test('setup: for the nastiest names, git credential fill signs with that profile, doctor names it, --list shows it, --remove gives every byte back', async (t) => {
  const h = await makeSetupHome(t);
  await writeFile(h.gitconfig, '# mine\n[user]\n\tname = Me\n');
  const credentials = h.env.AWS_SHARED_CREDENTIALS_FILE!;
  writeFileSync(credentials, readFileSync(credentials, 'utf8') + NASTY_PROFILE_NAMES.map((n) => '\n' + section(n, keyOf(n))).join(''));
  const acme = await h.repo('clients/acme/app');
  const before = await snapshot(h.home);
  const [global, dir] = [NASTY_PROFILE_NAMES[0]!, NASTY_PROFILE_NAMES[1]!];
  for (const name of NASTY_PROFILE_NAMES) {
    const r = await h.setup(['setup', `--profile=${name}`]);
    t.is(r.code, 0, r.stderr);
    t.is((await h.fill(URL_US)).username, keyOf(name), `git signs with ${JSON.stringify(name)}`);
    const doctor = await runHelper(['doctor', URL_US, '--json'], '', h.env);
    t.is((JSON.parse(doctor.stdout) as { targets: Array<{ profile: { name: string } }> }).targets[0]!.profile.name, name, doctor.stderr);
    t.regex((await h.setup(['setup', `--profile=${name}`])).stdout, /nothing changed/, 'a second setup is a no-op');
  }
  // A directory mapping (includeIf) with another awkward name wins inside it.
  t.is((await h.setup(['setup', `--profile=${global}`])).code, 0);
  t.is((await h.setup(['setup', `--profile=${dir}`, '--dir', '~/clients/acme'])).code, 0);
  t.is((await h.fill(URL_US, acme)).username, keyOf(dir));
  t.is((await h.fill(URL_US)).username, keyOf(global));
  const list = await h.setup(['setup', '--list']);
  t.true(list.stdout.includes(global) && list.stdout.includes(dir), list.stdout);
  t.is((await h.setup(['setup', '--remove', '--dir', '~/clients/acme'])).code, 0);
  t.is((await h.setup(['setup', '--remove'])).code, 0);
  t.deepEqual(await snapshot(h.home), before, 'every file as it was before setup');
});

async function snapshot(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else files[p.slice(root.length)] = await readFile(p, 'latin1');
    }
  };
  await walk(root);
  return files;
}

test('push: a clone and a push through the CodeCommit stand-in sign with a profile whose name is full of shell and INI syntax', async (t) => {
  const name = NASTY_PROFILE_NAMES[0]!;
  const key = { accessKeyId: keyOf(name), secretAccessKey: SECRET };
  const world = await startCodeCommitWorld({ helperLine: null, keys: [key], extraProfiles: { [name]: key } });
  t.teardown(() => world.close());
  const setup = await cc(world, ['setup', '--profile', name]);
  t.is(setup.code, 0, setup.stderr);
  await world.codecommit.addRepo('demo', { initialCommit: { files: { a: 'a\n' } } });
  const clone = await world.git(['clone', world.codecommit.repoUrl('demo'), 'demo']);
  t.is(clone.code, 0, clone.stderr);
  const work = join(world.home.home, 'demo');
  writeFileSync(join(work, 'b'), 'b\n');
  await world.git(['add', '.'], work);
  await world.git(['commit', '-qm', 'b'], work);
  const push = await world.git(['push', 'origin', 'HEAD:main'], work);
  t.is(push.code, 0, push.stderr);
  t.deepEqual([...new Set(world.codecommit.acceptedKeyIds())], [key.accessKeyId]);
  t.true(world.codecommit.log.some((e) => e.outcome === 'accepted' && e.service === 'git-receive-pack'));
  t.false(existsSync(join(world.home.home, 'pwned')) || existsSync(join(work, 'pwned')), 'nothing in the name ran');
});

function cc(world: CodeCommitWorld, args: string[], cwd = world.home.home, input = '', extra: Env = {}) {
  return run(process.execPath, [HELPER_BIN, ...args], { cwd, env: { ...world.env, ...extra }, input });
}

test('codecommit:: URLs: a spaced, non-ASCII profile in the URL (as git-remote-codecommit takes it) clones, pushes, and migrates', async (t) => {
  const name = 'dév team';
  const key = { accessKeyId: keyOf(name), secretAccessKey: SECRET };
  const world = await startCodeCommitWorld({ helperLine: null, keys: [key], extraProfiles: { [name]: key }, hostnames: ['git-codecommit.eu-west-1.amazonaws.com'] });
  t.teardown(() => world.close());
  await world.codecommit.addRepo('payments', { initialCommit: { files: { a: 'a\n' } } });
  const clone = await world.git(['clone', `codecommit::eu-west-1://${name}@payments`, 'app']);
  t.is(clone.code, 0, clone.stderr);
  const app = join(world.home.home, 'app');
  const migrate = await cc(world, ['migrate'], app);
  t.is(migrate.code, 0, migrate.stderr);
  t.true(migrate.stdout.includes(`(profile ${name})`), migrate.stdout);
  t.is((await world.git(['remote', 'get-url', 'origin'], app)).stdout.trim(), 'https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/payments');
  writeFileSync(join(app, 'b'), 'b\n');
  await world.git(['add', '.'], app);
  await world.git(['commit', '-qm', 'b'], app);
  const push = await world.git(['push', 'origin', 'HEAD:main'], app);
  t.is(push.code, 0, push.stderr);
  t.deepEqual([...new Set(world.codecommit.acceptedKeyIds())], [key.accessKeyId]);
});

// ---------------------------------------------------------------------------------------------
// vault and session: sections written into the credentials file

botocoreTest('vault and session: for the nastiest names, the section written reads back under exactly that name (botocore and /usr/bin/aws), and goes again byte for byte', async (t) => {
  const home = makeAwsHome({ credentials: '# mine\n[other]\naws_access_key_id = AKIAOTHER00000000001\naws_secret_access_key = o\n' });
  t.teardown(home.cleanup);
  const userKey = { accessKeyId: 'AKIAVAULTUSER0000001', secretAccessKey: 'VaUlT/LoNg+TeRm=SeCrEt000000000000000000' };
  const sts = await startStsStandIn({ keys: { [userKey.accessKeyId]: { secretAccessKey: userKey.secretAccessKey, account: '111122223333', userName: 'dev' } } });
  t.teardown(() => sts.close());
  const env = { ...home.env, AWS_ENDPOINT_URL_STS: sts.url, CC_HELPER_VAULT_PASSPHRASE: 'correct horse battery staple', CC_HELPER_CONFIG_DIR: join(home.home, 'cc') };
  const original = readFileSync(home.credentialsFile);
  const names = [...NASTY_PROFILE_NAMES, 'my profile'];
  const arg = (name: string) => (name.startsWith('-') ? ['--', name] : [name]);
  for (const name of names) {
    const added = await runHelper(['vault', 'add', ...arg(name)], `${userKey.accessKeyId}\n${userKey.secretAccessKey}\n`, env);
    t.is(added.code, 0, added.stderr);
    const started = await runHelper(['session', 'start', ...arg(name)], '', env);
    t.is(started.code, 0, started.stderr);
  }
  const issued = sts.issuedCredentials();
  t.is(issued.length, names.length);
  // botocore, the AWS CLI's reader, finds each session under its own name.
  const oracles = skipOracle ? [] : oraclePythons();
  for (const oracle of oracles) {
    const answers = await askBotocore(oracle.python, { credentials: home.credentialsFile, config: home.configFile }, names);
    t.deepEqual(answers.map((a) => a.access_key), issued.map((c) => c.accessKeyId), oracle.label);
  }
  if (!skipOracle) {
    // And the AWS CLI itself, as a person would ask it (one name: it costs half a second of CPU).
    const aws = spawnSync('/usr/bin/aws', ['configure', 'get', 'aws_access_key_id', '--profile', names[0]!], { env: { PATH: '/usr/bin:/bin', HOME: home.home, AWS_SHARED_CREDENTIALS_FILE: home.credentialsFile, AWS_CONFIG_FILE: home.configFile }, encoding: 'utf8' });
    t.is(aws.stdout.trim(), issued[0]!.accessKeyId, aws.stderr);
  }
  // get signs with the session; session list names each; session stop takes each away again.
  for (const [i, name] of names.entries()) {
    const r = await runHelper([...(name.startsWith('-') ? [`--profile=${name}`] : ['--profile', name]), 'get'], GET, env);
    t.true(r.stdout.startsWith(`username=${issued[i]!.accessKeyId}%`), r.stderr);
  }
  const list = await runHelper(['session', 'list'], '', env);
  for (const name of names) t.true(list.stdout.includes(`${name}: active`), list.stdout);
  for (const name of names) {
    const stopped = await runHelper(['session', 'stop', ...arg(name)], '', env);
    t.is(stopped.code, 0, stopped.stderr);
  }
  t.deepEqual(readFileSync(home.credentialsFile), original, 'the credentials file is back to its bytes');
  for (const name of names) t.is((await runHelper(['vault', 'remove', ...arg(name)], '', env)).code, 0);
});

// ---------------------------------------------------------------------------------------------
// Hostile names: one line, nothing written

test('hostile: a line break, NUL or control character in a name, "DEFAULT" for a session, or an option-like argument is refused with one line and nothing written', async (t) => {
  const h = await makeSetupHome(t);
  const env = { ...h.env, CC_HELPER_VAULT_PASSPHRASE: 'p', CC_HELPER_CONFIG_DIR: join(h.home, 'cc') } as NodeJS.ProcessEnv;
  const before = await snapshot(h.home);
  const oneLine = (r: { stderr: string }) => t.regex(r.stderr, /^cc-helper: [^\n]+\n$/, JSON.stringify(r.stderr));
  // In the environment (the only place a bin gets a name git did not quote): get answers quit=1.
  for (const name of ['a\nb', 'x\r', 'esc\x1b[2J', 'ls\u2028x']) {
    const r = await runHelper(['get'], GET, { ...env, AWS_PROFILE: name });
    t.is(r.stdout, 'quit=1\n', JSON.stringify(name));
    oneLine(r);
    t.regex(r.stderr, /holds a line break or another control character/);
  }
  for (const argv of [['vault', 'add', 'a\nb'], ['session', 'start', 'a\nb'], ['--profile', 'a\nb', 'get']]) {
    const r = await runHelper(argv, argv.includes('get') ? GET : `AKIAVAULTUSER0000001\nsecret\n`, env);
    oneLine(r);
    t.regex(r.stderr, /holds a line break or another control character/, argv.join(' '));
  }
  // DEFAULT is a profile in the config file, but in the credentials file it is configparser's [DEFAULT].
  const defaultSection = await runHelper(['vault', 'add', 'DEFAULT'], `AKIAVAULTUSER0000001\nsecret\n`, env);
  t.is(defaultSection.code, 1);
  oneLine(defaultSection);
  t.regex(defaultSection.stderr, /a profile named "DEFAULT" cannot live in the credentials file/);
  // A name that starts with "-" where an option could be: refused, and the line says how to pass it.
  const dash = await runHelper(['vault', 'add', '-x'], '', env);
  t.is(dash.code, 2);
  oneLine(dash);
  t.regex(dash.stderr, /vault add does not take -x.*a profile name that starts with "-" goes after --: cc-helper vault add -- -x/);
  // A "]" git-remote-codecommit's urlparse cannot read.
  const grc = await run(process.execPath, [join(PACKAGE_ROOT, 'bin', 'git-remote-codecommit.js'), 'origin', 'eu-west-1://a]b@demo'], { env });
  t.is(grc.code, 1);
  t.regex(grc.stderr, /^git-remote-codecommit \(cc-helper\): [^\n]*names a profile with "\[" or "\]"[^\n]*\n$/);
  t.deepEqual(await snapshot(h.home), before, 'nothing written anywhere');
});
