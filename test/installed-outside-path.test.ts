// cc-helper as a user installs it (npm pack, npm install -g --prefix), in a prefix and with a
// Node whose paths hold spaces and quotes, neither of them on PATH; then git as a GUI client or
// IDE runs it: `env -i PATH=/usr/bin:/bin HOME=…`, stdin not a terminal. `cc-helper setup` must
// write a helper line that works there: credential fill, clone and push through the stand-in.
import { copyFileSync, linkSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { PROFILE_KEY, startCodeCommitWorld } from '../standins/codecommit-world.js';
import { run } from '../standins/git-env.js';
import { PACKAGE_ROOT } from '../standins/helper-process.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const GUI_PATH = '/usr/bin:/bin';

/**
 * The package installed into `prefix` the way `npm install -g --prefix` lays it out. From the
 * tarball `npm pack` makes of the built tree; npm installs it offline from its cache (filled by
 * `npm ci`); without a cache, the tarball is unpacked into the same layout by hand and given this
 * checkout's node_modules, so the test never reaches the registry.
 */
async function installPackage(t: { log: (...s: string[]) => void }, work: string, prefix: string): Promise<string> {
  const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const pack = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: PACKAGE_ROOT, env, timeoutMs: 120_000 });
  if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  const install = await run('npm', ['install', '-g', '--offline', '--ignore-scripts', '--prefix', prefix, tarball], { env, timeoutMs: 120_000 });
  const entry = join(prefix, 'lib', 'node_modules', 'cc-helper', 'bin', 'cc-helper.js');
  if (install.code === 0) {
    t.log('installed with npm install -g --offline --prefix');
    return entry;
  }
  t.log(`npm install --offline failed (${install.stderr.split('\n').find((l) => /ERR/.test(l)) ?? install.code}); unpacking the tarball instead`);
  const dir = join(prefix, 'lib', 'node_modules', 'cc-helper');
  mkdirSync(dir, { recursive: true });
  const untar = await run('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
  if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return entry;
}

test('installed outside PATH with spaces and quotes in both paths: setup, then git from a GUI-like environment fills, clones and pushes', async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'cc-helper-install-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const prefix = join(work, `it's a "prefix"`);
  const entry = await installPackage(t, work, prefix);
  // Node where only an nvm-style shell would find it: a directory with a space and a quote.
  const nodeDir = join(work, `node 20's "bin"`);
  mkdirSync(nodeDir);
  const node = join(nodeDir, 'node');
  try {
    linkSync(process.execPath, node); // a hard link: process.execPath then names this path
  } catch {
    copyFileSync(process.execPath, node);
  }

  const world = await startCodeCommitWorld({ helperLine: null });
  t.teardown(() => world.close());
  const home = world.home.home;
  await world.git(['config', '--global', 'http.sslCAInfo', world.codecommit.caCertPath]);
  // What a desktop app gives git: no shell PATH, no AWS_*/GIT_* variables, no terminal.
  const gui = { PATH: GUI_PATH, HOME: home, LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1' };
  const inGui = (command: string, args: string[], cwd = home, input = '') => run('env', ['-i', ...Object.entries(gui).map(([k, v]) => `${k}=${v}`), command, ...args], { cwd, input });

  const setup = await inGui(node, [entry, 'setup', '--profile', 'CodeCommitProfile']);
  t.is(setup.code, 0, setup.stderr);
  t.is(setup.stderr, '');
  const helper = (await world.git(['config', '--global', '--includes', '--get-all', 'credential.https://git-codecommit.*.amazonaws.com.helper'])).stdout.split('\n')[1]!;
  t.true(helper.includes(`exec '${nodeDir.replace(/'/g, `'\\''`)}/node' '${prefix.replace(/'/g, `'\\''`)}/lib/node_modules/cc-helper/bin/cc-helper.js' --profile CodeCommitProfile`), helper);

  const url = world.codecommit.repoUrl('gui-app');
  const fill = await inGui('git', ['credential', 'fill'], home, `url=${url}\n\n`);
  t.is(fill.code, 0, fill.stderr);
  t.regex(fill.stdout, new RegExp(`^username=${PROFILE_KEY.accessKeyId}$`, 'm'));
  t.regex(fill.stdout, /^password=\d{8}T\d{6}Z[0-9a-f]{64}$/m);

  await world.codecommit.addRepo('gui-app', { initialCommit: { files: { 'README.md': 'hi\n' } } });
  const clone = await inGui('git', ['clone', url, 'gui-app']);
  t.is(clone.code, 0, clone.stderr);
  const repo = join(home, 'gui-app');
  writeFileSync(join(repo, 'change.txt'), 'from an IDE\n');
  t.is((await inGui('git', ['add', '.'], repo)).code, 0);
  t.is((await inGui('git', ['-c', 'user.name=A', '-c', 'user.email=a@example.com', 'commit', '-m', 'change'], repo)).code, 0);
  const push = await inGui('git', ['push', 'origin', 'HEAD:main'], repo);
  t.is(push.code, 0, push.stderr);
  t.true(world.codecommit.acceptedKeyIds().includes(PROFILE_KEY.accessKeyId));

  // doctor, run from that environment too, agrees: git found and ran the helper.
  const doctor = await inGui(node, [entry, 'doctor', url]);
  t.is(doctor.code, 0, doctor.stdout + doctor.stderr);
  t.regex(doctor.stdout, /from a GUI client or IDE \(\/usr\/bin\/git, PATH=\/usr\/bin:\/bin, no terminal\): git got a password for \*+MO01\n/);
});
