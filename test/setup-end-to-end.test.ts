// cc-helper setup with real git and the CodeCommit stand-in: each client folder pushes with its
// own account, a repository outside them uses the global profile, and a storage helper set up
// beforehand never keeps a CodeCommit password.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILE_KEY, startCodeCommitWorld } from '../standins/codecommit-world.js';
import { runHelper } from '../standins/helper-process.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

const ACME = { accessKeyId: 'AKIAACMECLIENT000001', secretAccessKey: 'AcMe/CLIENT+secret=000000000000000000000' };
const GLOBEX = { accessKeyId: 'AKIAGLOBEXCLIENT0001', secretAccessKey: 'GlObEx/CLIENT+secret=00000000000000000000' };

test('two client folders, two accounts; outside them the global profile; store keeps no CodeCommit password', async (t) => {
  const world = await startCodeCommitWorld({
    helperLine: null,
    keys: [PROFILE_KEY, ACME, GLOBEX],
    extraProfiles: { AcmeCode: ACME, GlobexCode: GLOBEX },
  });
  t.teardown(() => world.close());
  const home = world.home.home;
  // A storage helper the user had before: it must neither answer nor keep CodeCommit passwords.
  t.is((await world.git(['config', '--global', 'credential.helper', 'store'])).code, 0);

  const setup = async (args: string[]) => {
    const r = await runHelper(['setup', ...args], '', world.env);
    t.is(r.code, 0, r.stderr);
  };
  await setup(['--profile', 'CodeCommitProfile']);
  await setup(['--profile', 'AcmeCode', '--dir', join(home, 'clients', 'acme')]);
  await setup(['--profile', 'GlobexCode', '--dir', join(home, 'clients', 'globex')]);

  for (const repo of ['acme-app', 'globex-app', 'own-app']) {
    await world.codecommit.addRepo(repo, { initialCommit: { files: { 'README.md': `${repo}\n` } } });
  }
  const cases: Array<[string, string, string]> = [
    [join(home, 'clients', 'acme'), 'acme-app', ACME.accessKeyId],
    [join(home, 'clients', 'globex'), 'globex-app', GLOBEX.accessKeyId],
    [join(home, 'elsewhere'), 'own-app', PROFILE_KEY.accessKeyId],
  ];
  for (const [dir, repo, key] of cases) {
    mkdirSync(dir, { recursive: true });
    const before = world.codecommit.log.length;
    const clone = await world.git(['clone', world.codecommit.repoUrl(repo), repo], dir);
    t.is(clone.code, 0, clone.stderr);
    const work = join(dir, repo);
    writeFileSync(join(work, 'change.txt'), `${repo}\n`);
    await world.git(['add', '.'], work);
    await world.git(['commit', '-m', 'change'], work);
    const push = await world.git(['push', 'origin', 'HEAD:main'], work);
    t.is(push.code, 0, push.stderr);
    const used = new Set(world.codecommit.log.slice(before).flatMap((e) => (e.outcome === 'accepted' && e.accessKeyId ? [e.accessKeyId] : [])));
    t.deepEqual([...used], [key], `${repo} authenticates with its folder's key`);
  }
  const store = join(home, '.git-credentials');
  t.false(existsSync(store) && readFileSync(store, 'utf8').includes('codecommit'), 'the store helper kept no CodeCommit password');
});

test('with no global mapping, a repository outside the mapped folders is not signed for by a client profile', async (t) => {
  const world = await startCodeCommitWorld({ helperLine: null, keys: [ACME], extraProfiles: { AcmeCode: ACME } });
  t.teardown(() => world.close());
  const home = world.home.home;
  const r = await runHelper(['setup', '--profile', 'AcmeCode', '--dir', join(home, 'clients', 'acme')], '', world.env);
  t.is(r.code, 0, r.stderr);
  await world.codecommit.addRepo('x', { initialCommit: { files: { a: 'a\n' } } });
  const clone = await world.git(['clone', world.codecommit.repoUrl('x'), 'x'], home);
  t.not(clone.code, 0);
  t.deepEqual(world.codecommit.acceptedKeyIds(), []);
});
