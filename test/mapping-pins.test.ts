// Mappings never weaken an account pin (issue 21, items 1 and 2), end to end as an attacker would
// try it: real git with includeIf files in a temporary HOME, two repositories, pushes and fetches
// through the loopback CodeCommit stand-in (which logs the key of every accepted request), the STS
// stand-in saying which account each key belongs to, and cc-helper's own bins (the https helper
// from setup's lines, and the git-remote-codecommit drop-in).
import type { ExecutionContext } from 'ava';
import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startCodeCommitWorld, type CodeCommitWorld } from '../standins/codecommit-world.js';
import { run, type RunResult } from '../standins/git-env.js';
import { HELPER_BIN } from '../standins/helper-process.js';
import { startStsStandIn, type StsStandIn } from '../standins/sts-standin.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const HOST = 'git-codecommit.eu-west-1.amazonaws.com';
const ACME_ACCOUNT = '111122223333';
const GLOBEX_ACCOUNT = '444455556666';
const ACME = { accessKeyId: 'AKIAMAPPINGPINACME01', secretAccessKey: 'MaPpInG/PiN+AcMe=00000000000000000000000' };
const GLOBEX = { accessKeyId: 'AKIAMAPPINGPINGLOBEX', secretAccessKey: 'MaPpInG/PiN+GlObEx=000000000000000000000' };

interface World {
  world: CodeCommitWorld;
  sts: StsStandIn;
  home: string;
  cc(args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<RunResult>;
  git(args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<RunResult>;
  /** The keys CodeCommit accepted while `fn` ran. */
  keysDuring(fn: () => Promise<unknown>): Promise<string[]>;
}

/**
 * A consultant's machine: ~/clients/acme is mapped to AcmeCode and pinned to Acme's account
 * (`setup --dir ... --account`); GlobexCode is another client's profile. `acmeAccount` is the
 * account AcmeCode's key really belongs to (another one, for item 2).
 */
async function world(t: ExecutionContext, acmeAccount = ACME_ACCOUNT): Promise<World> {
  const world = await startCodeCommitWorld({ helperLine: null, keys: [ACME, GLOBEX], extraProfiles: { AcmeCode: ACME, GlobexCode: GLOBEX }, hostnames: [HOST] });
  const sts = await startStsStandIn({
    region: '*', // GetCallerIdentity is signed for the profiles' region, eu-west-1
    keys: {
      [ACME.accessKeyId]: { secretAccessKey: ACME.secretAccessKey, account: acmeAccount, userName: 'acme' },
      [GLOBEX.accessKeyId]: { secretAccessKey: GLOBEX.secretAccessKey, account: GLOBEX_ACCOUNT, userName: 'globex' },
    },
  });
  t.teardown(async () => {
    await sts.close();
    await world.close();
  });
  world.env.AWS_ENDPOINT_URL_STS = sts.url;
  const home = world.home.home;
  writeFileSync(join(home, '.aws', 'config'), '[profile AcmeCode]\nregion = eu-west-1\n[profile GlobexCode]\nregion = eu-west-1\n');
  for (const repo of ['app', 'tools']) await world.codecommit.addRepo(repo, { initialCommit: { files: { [`${repo}.txt`]: `${repo}\n` } } });
  await must(world.git(['config', '--global', 'protocol.codecommit.allow', 'always'], home));
  const cc = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => run(process.execPath, [HELPER_BIN, ...args], { cwd, env: { ...world.env, ...env } });
  await must(cc(['setup', '--profile', 'AcmeCode', '--account', ACME_ACCOUNT, '--dir', '~/clients/acme'], home));
  return {
    world,
    sts,
    home,
    cc,
    git: (args, cwd, env = {}) => run('git', args, { cwd, env: { ...world.env, ...env } }),
    async keysDuring(fn) {
      const before = world.codecommit.log.length;
      await fn();
      return [...new Set(world.codecommit.log.slice(before).filter((e) => e.outcome === 'accepted').map((e) => e.accessKeyId!))];
    },
  };
}

async function must(result: Promise<RunResult>): Promise<string> {
  const r = await result;
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** `git credential fill` for the URL, from `cwd`: what git would sign a push with there. */
async function fill(w: World, cwd: string, url: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const u = new URL(url);
  return run('git', ['credential', 'fill'], { cwd, env: { ...w.world.env, ...env }, input: `protocol=https\nhost=${u.host}\npath=${u.pathname.slice(1)}\n\n` });
}

test('migrate in a stranger\'s repository whose .gitmodules names codecommit::...GlobexCode@app: the pinned Acme repository still pushes with AcmeCode only', async (t) => {
  const w = await world(t);
  const acme = join(w.home, 'clients', 'acme', 'app');
  await must(w.git(['clone', `https://${HOST}/v1/repos/app`, acme], w.home));
  t.deepEqual(await w.keysDuring(() => must(w.git(['fetch', 'origin'], acme))), [ACME.accessKeyId], 'before: AcmeCode, pinned, signs for Acme\'s app');

  // Someone else's repository, cloned somewhere else: its own remote, and a tracked .gitmodules
  // naming a repository called "app" with a profile name of their choosing.
  const stranger = join(w.home, 'src', 'stranger');
  await mkdir(stranger, { recursive: true });
  await must(w.git(['init', '-q'], stranger));
  await must(w.git(['remote', 'add', 'origin', 'codecommit::eu-west-1://GlobexCode@tools'], stranger));
  writeFileSync(join(stranger, '.gitmodules'), '[submodule "app"]\n\tpath = vendor/app\n\turl = codecommit::eu-west-1://GlobexCode@app\n');
  await must(w.git(['add', '.gitmodules'], stranger));
  await must(w.git(['commit', '-q', '-m', 'vendor app'], stranger));

  const migrated = await w.cc(['migrate'], stranger);
  t.is(migrated.code, 0, migrated.stderr);
  t.regex(migrated.stdout, new RegExp(`\\.gitmodules submodule\\.app\\.url: codecommit::eu-west-1://GlobexCode@app\\n\\s+now https://${HOST}/v1/repos/app`));
  t.regex(migrated.stdout, new RegExp(`not mapped: https://${HOST}/v1/repos/app names another repository`));
  t.regex(migrated.stdout, new RegExp(`map https://${HOST}/v1/repos/tools to profile GlobexCode in this repository`));

  // The Acme repository: its push signs with AcmeCode, as before; GlobexCode's key never appears.
  const answer = await fill(w, acme, `https://${HOST}/v1/repos/app`);
  t.is(answer.code, 0, answer.stderr);
  t.regex(answer.stdout, new RegExp(`^username=${ACME.accessKeyId}$`, 'm'));
  writeFileSync(join(acme, 'acme.txt'), 'acme\n');
  await must(w.git(['add', '.'], acme));
  await must(w.git(['commit', '-q', '-m', 'acme'], acme));
  t.deepEqual(await w.keysDuring(() => must(w.git(['push', 'origin', 'HEAD:main'], acme))), [ACME.accessKeyId]);
  // The stranger's repository works over https with its own remote's profile, there only.
  t.deepEqual(await w.keysDuring(() => must(w.git(['fetch', 'origin'], stranger))), [GLOBEX.accessKeyId]);
  // Nothing in the global config names GlobexCode.
  const global = await w.git(['config', '--global', '--includes', '--get-regexp', 'credential\\..*\\.helper'], w.home);
  t.false(global.stdout.includes('GlobexCode'), global.stdout);
});

test('migrate in a repository inside the pinned folder keeps the folder\'s pin on the mapping it writes: another account\'s profile is refused', async (t) => {
  const w = await world(t);
  // The user's own repository under ~/clients/acme, with a GRC remote naming another profile.
  const repo = join(w.home, 'clients', 'acme', 'tools');
  await mkdir(repo, { recursive: true });
  await must(w.git(['init', '-q'], repo));
  await must(w.git(['remote', 'add', 'origin', 'codecommit::eu-west-1://GlobexCode@tools'], repo));
  const migrated = await w.cc(['migrate'], repo);
  t.is(migrated.code, 0, migrated.stderr);
  t.regex(migrated.stdout, new RegExp(`--account ${ACME_ACCOUNT} --local --remote-url https://${HOST}/v1/repos/tools\\)\\n\\s+pinned to account ${ACME_ACCOUNT}: `));
  const fetched = await w.git(['fetch', 'origin'], repo);
  t.not(fetched.code, 0);
  t.regex(fetched.stderr, new RegExp(`refusing to sign: profile "GlobexCode" belongs to account ${GLOBEX_ACCOUNT}, but this helper line is pinned to account ${ACME_ACCOUNT}`));
  t.deepEqual(w.world.codecommit.acceptedKeyIds(), [], 'GlobexCode never signed');
  // --undo takes the mapping back with the URL.
  const undone = await w.cc(['migrate', '--undo'], repo);
  t.is(undone.code, 0, undone.stderr);
  t.is((await must(w.git(['remote', 'get-url', 'origin'], repo))).trim(), 'codecommit::eu-west-1://GlobexCode@tools');
  t.is((await w.git(['config', '--local', '--get-regexp', 'includeif\\..*'], repo)).stdout, '');
});

test('the drop-in under another XDG_CONFIG_HOME (a snap or flatpak app) keeps the directory mapping\'s pin, as the https helper does', async (t) => {
  // AcmeCode's key is really in 999988887777: the pin must refuse it, from every entry point.
  const w = await world(t, '999988887777');
  const repo = join(w.home, 'clients', 'acme', 'app');
  await mkdir(repo, { recursive: true });
  await must(w.git(['init', '-q'], repo));
  await must(w.git(['remote', 'add', 'grc', 'codecommit::eu-west-1://AcmeCode@app'], repo));
  await must(w.git(['remote', 'add', 'https', `https://${HOST}/v1/repos/app`], repo));
  // Also a GRC remote naming another client's profile, in this pinned folder.
  await must(w.git(['remote', 'add', 'globex', 'codecommit::eu-west-1://GlobexCode@app'], repo));
  const flatpak = { XDG_CONFIG_HOME: join(w.home, '.var', 'app', 'org.example.Ide', 'config') };
  for (const env of [{}, flatpak]) {
    const where = env === flatpak ? 'under the app\'s XDG_CONFIG_HOME' : 'in the shell';
    for (const remote of ['grc', 'https']) {
      const r = await w.git(['fetch', remote], repo, env);
      t.not(r.code, 0, `${remote} ${where}`);
      t.regex(r.stderr, new RegExp(`refusing to sign: profile "AcmeCode" belongs to account 999988887777, but this helper line is pinned to account ${ACME_ACCOUNT}`), `${remote} ${where}`);
    }
    const globex = await w.git(['fetch', 'globex'], repo, env);
    t.not(globex.code, 0, `globex ${where}`);
    t.regex(globex.stderr, new RegExp(`refusing to sign: profile "GlobexCode" belongs to account ${GLOBEX_ACCOUNT}, but this helper line is pinned to account ${ACME_ACCOUNT}`), `globex ${where}`);
  }
  t.deepEqual(w.world.codecommit.acceptedKeyIds(), [], 'nothing was signed with either key');
  // doctor reads the same mapping files and says what the drop-in does, under either environment.
  for (const env of [{}, flatpak]) {
    const doctor = await w.cc(['doctor'], repo, env);
    t.regex(doctor.stdout, new RegExp(`skipped remote grc .*signs it as https://${HOST}/v1/repos/app with profile AcmeCode, pinned to account ${ACME_ACCOUNT}`));
    t.regex(doctor.stdout, new RegExp(`skipped remote globex .*with profile GlobexCode, pinned to account ${ACME_ACCOUNT}`));
  }
  // Outside the pinned folder the drop-in signs with the URL's profile, unpinned, as before.
  const elsewhere = join(w.home, 'src', 'other');
  await mkdir(elsewhere, { recursive: true });
  await must(w.git(['init', '-q'], elsewhere));
  await must(w.git(['remote', 'add', 'origin', 'codecommit::eu-west-1://GlobexCode@app'], elsewhere));
  t.deepEqual(await w.keysDuring(() => must(w.git(['fetch', 'origin'], elsewhere, flatpak))), [GLOBEX.accessKeyId]);
});

test('setup --local (or --local --remote-url) in a repository under the pinned folder wins over the folder\'s line, so it must keep its pin', async (t) => {
  const w = await world(t);
  const repo = join(w.home, 'clients', 'acme', 'app');
  await must(w.git(['clone', `https://${HOST}/v1/repos/app`, repo], w.home));
  for (const scope of [['--local'], ['--local', '--remote-url', `https://${HOST}/v1/repos/app`]]) {
    const unpinned = await w.cc(['setup', '--profile', 'GlobexCode', ...scope], repo);
    t.is(unpinned.code, 1, scope.join(' '));
    t.regex(unpinned.stderr, new RegExp(`^cc-helper: .* would win over what signs https://${HOST}/v1/repos/app there now, pinned to account ${ACME_ACCOUNT} \\(.*\\): add --account ${ACME_ACCOUNT} to keep the pin .*nothing was changed\\n$`));
  }
  t.is((await w.git(['config', '--local', '--get-regexp', 'include.*'], repo)).stdout, '', 'nothing was written');
  t.deepEqual(await w.keysDuring(() => must(w.git(['fetch', 'origin'], repo))), [ACME.accessKeyId], 'the folder\'s pinned line still signs');
  // Pinned explicitly, it is written: its pin is what the helper checks.
  const pinned = await w.cc(['setup', '--profile', 'GlobexCode', '--account', GLOBEX_ACCOUNT, '--local'], repo);
  t.is(pinned.code, 0, pinned.stderr);
  t.deepEqual(await w.keysDuring(() => must(w.git(['fetch', 'origin'], repo))), [GLOBEX.accessKeyId]);
});

test('setup --remote-url (every repository with that remote) does not reach into a folder pinned to an account; elsewhere it applies', async (t) => {
  const w = await world(t);
  const acme = join(w.home, 'clients', 'acme', 'app');
  const other = join(w.home, 'src', 'app');
  await must(w.git(['clone', `https://${HOST}/v1/repos/app`, acme], w.home));
  await mkdir(other, { recursive: true });
  await must(w.git(['init', '-q'], other));
  await must(w.git(['remote', 'add', 'origin', `https://${HOST}/v1/repos/app`], other));
  const mapped = await w.cc(['setup', '--profile', 'GlobexCode', '--remote-url', `https://${HOST}/v1/repos/app`], w.home);
  t.is(mapped.code, 0, mapped.stderr);
  t.regex(mapped.stdout, /note: repositories under .*\/clients\/acme\/ keep signing with AcmeCode: that directory's mapping is pinned to an account/);
  t.deepEqual(await w.keysDuring(() => must(w.git(['fetch', 'origin'], acme))), [ACME.accessKeyId], 'the pinned folder keeps its line');
  t.deepEqual(await w.keysDuring(() => must(w.git(['fetch', 'origin'], other))), [GLOBEX.accessKeyId], 'elsewhere the remote-URL mapping signs');
  // The order in the global config says so: the pinned directory's include comes last.
  const text = await must(w.git(['config', '--global', '--list', '--name-only'], w.home));
  t.true(text.indexOf('includeif.hasconfig:') < text.indexOf('includeif.gitdir:'), text);
  // An unpinned directory inside the pinned one is told that the pinned one still signs there.
  const inner = await w.cc(['setup', '--profile', 'GlobexCode', '--dir', '~/clients/acme/globex'], w.home);
  t.regex(inner.stdout, /note: repositories under .*\/clients\/acme\/ keep signing with AcmeCode: .*pin this one too \(--account\) to use it there/);
});

test('which credential.<url> sections apply to a URL: the drop-in\'s own rule agrees with git\'s (--get-urlmatch)', async (t) => {
  const { credentialUrlMatches } = await import('../src/setup/mapping-pins.js');
  const { patternsMatchingUrls } = await import('../src/setup/existing-helpers.js');
  const { CODECOMMIT_URL_PATTERNS } = await import('../src/setup/codecommit-url-patterns.js');
  const patterns = [
    ...CODECOMMIT_URL_PATTERNS.map((p) => p.pattern),
    `https://${HOST}/v1/repos/app`,
    `https://${HOST}/v1/repos/app/`,
    `https://${HOST}/v1/repos/ap`,
    `https://${HOST}`,
    `https://${HOST}:443`,
    `https://${HOST}:8443`,
    `https://user@${HOST}`,
    'https://*.amazonaws.com',
    'http://git-codecommit.*.amazonaws.com',
    'https://GIT-CODECOMMIT.EU-WEST-1.AMAZONAWS.COM/v1/repos/app',
  ];
  const urls = [
    `https://${HOST}/v1/repos/app`,
    `https://${HOST}/v1/repos/app2`,
    `https://${HOST}/v1/repos/ap`,
    'https://git-codecommit-fips.us-east-1.amazonaws.com/v1/repos/app',
    'https://git-codecommit.cn-north-1.amazonaws.com.cn/v1/repos/app',
    'https://vpce-0123-abcd.git-codecommit.eu-west-1.vpce.amazonaws.com/v1/repos/app',
    'https://git-codecommit.eu-west-1.amazonaws.com.evil.example/v1/repos/app',
    'https://evil.git-codecommit.eu-west-1.amazonaws.com/v1/repos/app',
    `https://${HOST}:8443/v1/repos/app`,
  ];
  const ctx = { env: { PATH: process.env.PATH, HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }, cwd: '/' };
  for (const url of urls) {
    const byGit = await patternsMatchingUrls(patterns, [url], ctx);
    for (const pattern of patterns) t.is(credentialUrlMatches(pattern, url), byGit.has(pattern), `${pattern} vs ${url}`);
  }
});
