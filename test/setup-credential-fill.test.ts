// What git does with the config setup writes: real git, a temporary HOME, `git credential fill`
// running the built cc-helper. The username git gets back is the access key id of the profile
// that signed, so each test sees which profile each URL and directory ended up with.
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CODECOMMIT_URL_PATTERNS } from '../src/setup/codecommit-url-patterns.js';
import { CC_HELPER_SCRIPT } from '../src/setup/helper-line.js';
import { renderOwnedFile } from '../src/setup/owned-file.js';
import { resolveMapping } from '../src/setup/scope.js';
import { makeSetupHome, PROFILES } from './support/setup-home.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const URL_US = 'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/myrepo';

test('global setup: every host form signs with the profile, and git config --get-urlmatch agrees', async (t) => {
  const h = await makeSetupHome(t);
  const r = await h.setup(['setup', '--profile', 'CodeCommitProfile']);
  t.is(r.code, 0, r.stderr);
  const helper = /helper line: (.*)/.exec(r.stdout)![1]!;
  await Promise.all(
    CODECOMMIT_URL_PATTERNS.map(async ({ sampleHost }) => {
      const url = `https://${sampleHost}/v1/repos/myrepo`;
      const filled = await h.fill(url);
      t.is(filled.username, PROFILES.CodeCommitProfile, `${sampleHost}: ${filled.stderr}`);
      t.is((await h.git(['config', '--get-urlmatch', 'credential.helper', url])).stdout.trim(), helper);
      t.is((await h.git(['config', '--get-urlmatch', 'credential.useHttpPath', url])).stdout.trim(), 'true');
    }),
  );
  // Other hosts are left alone.
  t.is((await h.git(['config', '--get-urlmatch', 'credential.helper', 'https://github.com/x/y'])).stdout, '');
});

test('two client directories sign with their own profile; a repository outside uses the global one', async (t) => {
  const h = await makeSetupHome(t);
  const acme = await h.repo('clients/acme/app');
  const globex = await h.repo('clients/globex/deep/api');
  const outside = await h.repo('src/other');
  t.is((await h.setup(['setup', '--profile', 'AcmeCode', '--dir', '~/clients/acme'])).code, 0);
  t.is((await h.setup(['setup', '--profile', 'GlobexCode', '--dir', 'clients/globex'], h.home)).code, 0);

  // Before a global mapping: outside both, nothing answers for CodeCommit (git would prompt).
  const none = await h.fill(URL_US, outside);
  t.is(none.username, undefined);
  t.not(none.code, 0);

  t.is((await h.setup(['setup', '--profile', 'CodeCommitProfile'])).code, 0);
  t.is((await h.fill(URL_US, acme)).username, PROFILES.AcmeCode);
  t.is((await h.fill(URL_US, globex)).username, PROFILES.GlobexCode);
  t.is((await h.fill(URL_US, outside)).username, PROFILES.CodeCommitProfile);
  t.is((await h.fill(URL_US, h.home)).username, PROFILES.CodeCommitProfile);
  // The global block was set up last, yet the directories still win: cc-helper keeps its
  // include lines in order (global first).
  const text = await readFile(h.gitconfig, 'utf8');
  t.true(text.indexOf('[include]') < text.indexOf('gitdir:'));
});

test('--remote-url and --local: the more specific mapping wins', async (t) => {
  const h = await makeSetupHome(t);
  const matching = await h.repo('work/a', 'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/acme-api');
  const other = await h.repo('work/b', 'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/globex-api');
  t.is((await h.setup(['setup', '--profile', 'CodeCommitProfile'])).code, 0);
  const r = await h.setup(['setup', '--profile', 'AcmeCode', '--remote-url', 'https://git-codecommit.*.amazonaws.com/v1/repos/acme-*']);
  t.is(r.code, 0, r.stderr);
  t.is((await h.fill(URL_US, matching)).username, PROFILES.AcmeCode);
  t.is((await h.fill(URL_US, other)).username, PROFILES.CodeCommitProfile);

  const local = await h.setup(['setup', '--profile', 'GlobexCode', '--local'], other);
  t.is(local.code, 0, local.stderr);
  t.is((await h.fill(URL_US, other)).username, PROFILES.GlobexCode);
  t.is((await h.fill(URL_US, matching)).username, PROFILES.AcmeCode);
  t.regex(await readFile(join(other, '.git', 'config'), 'utf8'), /\[include\]\n\tpath = .*local-b-/);
});

test('a storage helper configured before setup neither answers with nor stores a CodeCommit password', async (t) => {
  const h = await makeSetupHome(t);
  const store = join(h.home, '.git-credentials');
  await writeFile(h.gitconfig, '[credential]\n\thelper = store\n');
  // A stale CodeCommit password the store kept from before (the macOS keychain problem).
  await writeFile(store, 'https://stale:stalepassword@git-codecommit.us-east-1.amazonaws.com\n', { mode: 0o600 });
  const r = await h.setup(['setup', '--profile', 'CodeCommitProfile']);
  t.regex(r.stdout, /credential\.helper = store[\s\S]*storage helper/);

  const filled = await h.fill(URL_US);
  t.is(filled.username, PROFILES.CodeCommitProfile);
  t.false(filled.stdout.includes('stalepassword'));
  // git sends `store` to every helper after a success: the store must not get this one.
  const approve = await h.git(['credential', 'approve'], h.home, filled.stdout + '\n');
  t.is(approve.code, 0);
  t.is(await readFile(store, 'utf8'), 'https://stale:stalepassword@git-codecommit.us-east-1.amazonaws.com\n');
  // The same inside a directory mapping, whose block comes from an includeIf'd file.
  const acme = await h.repo('clients/acme/app');
  t.is((await h.setup(['setup', '--profile', 'AcmeCode', '--dir', 'clients/acme'])).code, 0);
  const inDir = await h.fill(URL_US, acme);
  t.is(inDir.username, PROFILES.AcmeCode);
  t.is((await h.git(['credential', 'approve'], acme, inDir.stdout + '\n')).code, 0);
  t.false((await readFile(store, 'utf8')).includes(PROFILES.AcmeCode!));
  // Other hosts still use the store.
  await h.git(['credential', 'approve'], h.home, 'protocol=https\nhost=example.com\nusername=u\npassword=p\n\n');
  t.regex(await readFile(store, 'utf8'), /example\.com/);
});

test('even with git-credential-codecommit on PATH, setup names Node and cc-helper by absolute path (GUI clients lack that PATH)', async (t) => {
  const h = await makeSetupHome(t);
  const bin = join(h.home, 'bin');
  await mkdir(bin);
  await symlink(join(CC_HELPER_SCRIPT, '..', 'git-credential-codecommit.js'), join(bin, 'git-credential-codecommit'));
  h.env.PATH = `${bin}:${join(process.execPath, '..')}:${h.env.PATH ?? ''}`;
  const r = await h.setup(['setup', '--profile', 'client.acme']);
  t.is(r.code, 0, r.stderr);
  t.true(r.stdout.includes(`exec ${process.execPath} ${CC_HELPER_SCRIPT} --profile client.acme "$@"`), r.stdout);
  // git finds it without any PATH entry of ours: only the system's.
  h.env.PATH = '/usr/bin:/bin';
  t.is((await h.fill(URL_US)).username, PROFILES['client.acme']);
});

test('the absolute-path helper line works from paths with spaces and quotes', async (t) => {
  const h = await makeSetupHome(t);
  const odd = join(h.home, "my tools", "it's here");
  await mkdir(odd, { recursive: true });
  await symlink(process.execPath, join(odd, 'node'));
  await symlink(CC_HELPER_SCRIPT, join(odd, 'cc-helper.js'));
  const mapping = await resolveMapping({ kind: 'global' }, { env: h.env, cwd: h.home });
  const { helperLine } = await import('../src/setup/helper-line.js');
  const line = helperLine('AcmeCode', { node: join(odd, 'node'), script: join(odd, 'cc-helper.js') });
  const owned = join(h.home, 'owned.gitconfig');
  const flags = { includerCreated: false, includerLackedFinalNewline: false };
  await writeFile(owned, await renderOwnedFile(mapping, 'AcmeCode', line, flags, { env: h.env, cwd: h.home }), 'latin1');
  await writeFile(h.gitconfig, `[include]\n\tpath = ${owned}\n`);
  t.is((await h.fill(URL_US)).username, PROFILES.AcmeCode);
  t.truthy(await stat(owned));
});

test('a helper added after setup runs after its block; running setup again moves the block back to the end', async (t) => {
  const h = await makeSetupHome(t);
  const store = join(h.home, '.git-credentials');
  t.is((await h.setup(['setup', '--profile', 'CodeCommitProfile'])).code, 0);
  // No [credential] section yet, so git appends a new one after cc-helper's include.
  t.is((await h.git(['config', '--global', 'credential.helper', 'store'])).code, 0);
  const first = await h.fill(URL_US);
  await h.git(['credential', 'approve'], h.home, first.stdout + '\n');
  t.true((await readFile(store, 'utf8')).includes(PROFILES.CodeCommitProfile!), 'the order matters: a later store keeps the password');
  await writeFile(store, '');

  const again = await h.setup(['setup', '--profile', 'CodeCommitProfile']);
  t.regex(again.stdout, /moved cc-helper's lines to the end of .* \(so they come after lines added since\)/);
  const second = await h.fill(URL_US);
  t.is(second.username, PROFILES.CodeCommitProfile);
  await h.git(['credential', 'approve'], h.home, second.stdout + '\n');
  t.is(await readFile(store, 'utf8'), '');
});

test('an owned file from an older cc-helper (`helper = codecommit --profile X`) is upgraded by setup and removed by --remove', async (t) => {
  const h = await makeSetupHome(t);
  t.is((await h.setup(['setup', '--profile', 'AcmeCode'])).code, 0);
  const mapping = await resolveMapping({ kind: 'global' }, { env: h.env, cwd: h.home });
  const flags = { includerCreated: true, includerLackedFinalNewline: false };
  // What earlier versions wrote: the helper found through PATH.
  await writeFile(mapping.ownedFile, await renderOwnedFile(mapping, 'AcmeCode', 'codecommit --profile AcmeCode', flags, { env: h.env, cwd: h.home }), 'latin1');
  const list = await h.setup(['setup', '--list']);
  t.regex(list.stdout, /global +AcmeCode +everywhere/);
  const again = await h.setup(['setup', '--profile', 'AcmeCode']);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /uses profile AcmeCode; its helper line changed \(Node or cc-helper moved, or it had an older form\)\. It was:\n +codecommit --profile AcmeCode\n/);
  h.env.PATH = '/usr/bin:/bin';
  t.is((await h.fill(URL_US)).username, PROFILES.AcmeCode);
  const removed = await h.setup(['setup', '--remove']);
  t.is(removed.code, 0, removed.stderr);
  t.regex(removed.stdout, /removed\n  global \(profile AcmeCode\)/);
  t.is((await h.fill(URL_US)).username, undefined);
});
