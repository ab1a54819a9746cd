// `cc-helper migrate` with real git and the CodeCommit stand-in: a repository made with
// git-remote-codecommit URLs (two remotes for two profiles, a codecommit submodule) moves to
// https, then fetches and pushes with the right keys with no git-remote-codecommit on PATH;
// migrating again changes nothing; --undo gives every file back byte for byte.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeCommitWorld, type CodeCommitWorld } from '../standins/codecommit-world.js';
import { run } from '../standins/git-env.js';
import { HELPER_BIN } from '../standins/helper-process.js';
import { needs, POSIX, ROOT } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);
// Another user's repository needs root to make.
const rootTest = needs(POSIX, ROOT);

const EU = 'git-codecommit.eu-west-1.amazonaws.com';
const US = 'git-codecommit.us-east-1.amazonaws.com';
const ACME = { accessKeyId: 'AKIAGRCMIGRATEACME01', secretAccessKey: 'grc/Migrate+ACME=000000000000000000000001' };
const GLOBEX = { accessKeyId: 'AKIAGRCMIGRATEGLOBEX', secretAccessKey: 'grc/Migrate+GLOBEX=00000000000000000000002' };

async function must(world: CodeCommitWorld, args: string[], cwd: string): Promise<string> {
  const r = await world.git(args, cwd);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The keys the stand-in accepted while `fn` ran. */
async function keysDuring(world: CodeCommitWorld, fn: () => Promise<unknown>): Promise<string[]> {
  const before = world.codecommit.log.length;
  await fn();
  const entries = world.codecommit.log.slice(before).filter((e) => e.outcome === 'accepted');
  return [...new Set(entries.map((e) => e.accessKeyId!))];
}

test('migrate: two remotes with two profiles and a codecommit submodule work over https; again is a no-op; --undo is byte for byte', async (t) => {
  const world = await startCodeCommitWorld({
    helperLine: null,
    keys: [ACME, GLOBEX],
    extraProfiles: { AcmeCode: ACME, GlobexCode: GLOBEX },
    hostnames: [EU, US],
  });
  t.teardown(() => world.close());
  const home = world.home.home;
  writeFileSync(join(home, '.aws', 'config'), '[profile GlobexCode]\nregion = us-east-1\n');
  for (const repo of ['payments', 'shared', 'lib']) await world.codecommit.addRepo(repo, { initialCommit: { files: { [`${repo}.txt`]: `${repo}\n` } } });
  // What a GRC user has: submodules over a remote helper need protocol.<name>.allow.
  await must(world, ['config', '--global', 'protocol.codecommit.allow', 'always'], home);

  // The repository, made through the drop-in bin the way GRC users made theirs.
  await must(world, ['clone', 'codecommit::eu-west-1://AcmeCode@payments', 'app'], home);
  const app = join(home, 'app');
  await must(world, ['remote', 'add', 'upstream', 'codecommit::eu-west-1://GlobexCode@shared'], app);
  await must(world, ['submodule', 'add', 'codecommit://GlobexCode@lib', 'lib'], app);
  await must(world, ['commit', '-q', '-m', 'add lib'], app);
  const files = {
    config: join(app, '.git', 'config'),
    gitmodules: join(app, '.gitmodules'),
    libConfig: join(app, '.git', 'modules', 'lib', 'config'),
    gitconfig: join(home, '.gitconfig'),
  };
  const original = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, readFileSync(f)]));
  t.regex(original.gitmodules!.toString(), /url = codecommit:\/\/GlobexCode@lib/);

  const outside = await runIn(world, home, ['migrate', '--dry-run']);
  t.is(outside.code, 1);
  t.regex(outside.stderr, new RegExp(`^cc-helper: the current folder \\(${home}\\) is not in a git repository: cd into one, or use --all DIR for the repositories below a folder\\n$`));

  const migrate = (args: string[]) => runIn(world, app, ['migrate', ...args]);
  const plan = await migrate(['--dry-run']);
  t.is(plan.code, 0, plan.stderr);
  t.regex(plan.stdout, /nothing was changed/);
  t.regex(plan.stdout, new RegExp(`remote\\.origin\\.url: codecommit::eu-west-1://AcmeCode@payments\\n\\s+-> https://${EU}/v1/repos/payments  \\(profile AcmeCode\\)`));
  t.regex(plan.stdout, new RegExp(`\\.gitmodules submodule\\.lib\\.url: codecommit://GlobexCode@lib\\n\\s+-> https://${US}/v1/repos/lib`));
  for (const [k, f] of Object.entries(files)) t.deepEqual(readFileSync(f), original[k], `--dry-run left ${k} alone`);

  const done = await migrate([]);
  t.is(done.code, 0, done.stderr);
  t.is((await must(world, ['remote', 'get-url', 'origin'], app)).trim(), `https://${EU}/v1/repos/payments`);
  t.is((await must(world, ['remote', 'get-url', 'upstream'], app)).trim(), `https://${EU}/v1/repos/shared`);
  t.is((await must(world, ['config', '--file', '.gitmodules', 'submodule.lib.url'], app)).trim(), `https://${US}/v1/repos/lib`);
  t.is((await must(world, ['config', 'submodule.lib.url'], app)).trim(), `https://${US}/v1/repos/lib`);
  t.is((await must(world, ['remote', 'get-url', 'origin'], join(app, 'lib'))).trim(), `https://${US}/v1/repos/lib`);

  // doctor agrees: each remote, its own profile.
  const doctor = await runIn(world, app, ['doctor']);
  t.is(doctor.code, 0, doctor.stdout + doctor.stderr);
  t.regex(doctor.stdout, /repos\/payments \(remote origin\)[^]*?profile: AcmeCode[^]*?repos\/shared \(remote upstream\)[^]*?profile: GlobexCode/);
  // No GRC any more: the drop-in goes from PATH, and each remote signs with its own profile.
  unlinkSync(join(home, 'bin', 'git-remote-codecommit'));
  t.deepEqual(await keysDuring(world, () => must(world, ['fetch', 'origin'], app)), [ACME.accessKeyId]);
  t.deepEqual(await keysDuring(world, () => must(world, ['fetch', 'upstream'], app)), [GLOBEX.accessKeyId]);
  t.deepEqual(await keysDuring(world, () => must(world, ['fetch', 'origin'], join(app, 'lib'))), [GLOBEX.accessKeyId]);
  t.deepEqual(await keysDuring(world, () => must(world, ['push', 'origin', 'HEAD:main'], app)), [ACME.accessKeyId]);
  t.deepEqual(await keysDuring(world, () => must(world, ['push', 'upstream', 'HEAD:refs/heads/from-app'], app)), [GLOBEX.accessKeyId]);
  t.true(world.codecommit.log.some((e) => e.outcome === 'accepted' && e.repo === 'shared' && e.service === 'git-receive-pack'));

  // Again: nothing left to do, nothing touched.
  const migrated = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, readFileSync(f)]));
  const again = await migrate([]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /no codecommit:: URLs in .*; nothing to do/);
  for (const [k, f] of Object.entries(files)) t.deepEqual(readFileSync(f), migrated[k], `a second migrate left ${k} alone`);

  const undo = await migrate(['--undo']);
  t.is(undo.code, 0, undo.stderr);
  for (const [k, f] of Object.entries(files)) t.is(readFileSync(f).toString('latin1'), original[k]!.toString('latin1'), `--undo gave ${k} back byte for byte`);
  t.false(existsSync(join(app, '.git', 'cc-helper-migrate.json')));
  // setup removes its folder once the last mapping is gone.
  const owned = join(home, '.config', 'cc-helper', 'git');
  t.deepEqual(existsSync(owned) ? readdirSync(owned) : [], [], 'the mappings are gone');
  const none = await migrate(['--undo']);
  t.regex(none.stdout, /nothing to undo/);
});

test('migrate --all DIR finds every repository below; a URL that could not work is left alone with its reason', async (t) => {
  const world = await startCodeCommitWorld({ helperLine: null, keys: [ACME], extraProfiles: { AcmeCode: ACME }, hostnames: [EU] });
  t.teardown(() => world.close());
  const home = world.home.home;
  const clients = join(home, 'clients');
  for (const [name, url] of [
    ['a', 'codecommit::eu-west-1://AcmeCode@payments'],
    ['nested/b', 'codecommit::eu-west-1://default@payments'],
    ['c', 'codecommit::eu-west-1://AKIAX:hunter2@payments'],
    // Where the old redaction missed: the password in what reads as the repository, or with a `/`.
    ['d', 'codecommit::eu-west-1://a@user:Secr3tPw@payments'],
    ['e', 'codecommit://a:Secr3t/Pw@payments'],
  ] as const) {
    const dir = join(clients, name);
    await must(world, ['init', '-q', dir], home);
    await must(world, ['remote', 'add', 'origin', url], dir);
  }
  const config = (name: string) => readFileSync(join(clients, name, '.git', 'config'), 'latin1');
  const before = config('nested/b');
  const r = await runIn(world, home, ['migrate', '--all', 'clients']);
  t.is(r.code, 0, r.stderr);
  t.regex(config('a'), new RegExp(`url = https://${EU}/v1/repos/payments`));
  t.is(config('nested/b'), before);
  t.regex(r.stdout, /left as it is: remote\.origin\.url codecommit::eu-west-1:\/\/default@payments: refusing to sign with the "default" profile/);
  t.regex(r.stdout, /left as it is: remote\.origin\.url codecommit::eu-west-1:\/\/\*\*\*@payments: .*names a profile with ":" in it/);
  t.false(r.stdout.includes('hunter2'), 'a password written into a URL is not shown');
  t.false(/Secr3t|Pw@/.test(r.stdout + r.stderr), `no part of a password is shown: ${r.stdout}`);
  t.is(r.stdout.match(/holds a user:password@ part/g)?.length, 2, r.stdout);
  t.regex(config('c'), /hunter2@payments/);
  // A change made after migrate survives --undo: only the URLs go back.
  await must(world, ['config', 'branch.main.remote', 'origin'], join(clients, 'a'));
  const undo = await runIn(world, home, ['migrate', '--all', 'clients', '--undo']);
  t.is(undo.code, 0, undo.stderr);
  t.regex(undo.stdout, /put back the codecommit URLs in config \(changed since migrate: the rest stays\)/);
  t.regex(config('a'), /url = codecommit::eu-west-1:\/\/AcmeCode@payments\n/);
  t.regex(config('a'), /\[branch "main"\]\n\tremote = origin\n/);
  t.false(config('a').includes('https://'));
});

rootTest('migrate in a repository git will not open (another user\'s: "dubious ownership") says so with git\'s reason, not "not in a git repository"', async (t) => {
  const world = await startCodeCommitWorld({ helperLine: null, keys: [ACME], extraProfiles: { AcmeCode: ACME }, hostnames: [EU] });
  t.teardown(() => world.close());
  const repo = join(world.home.home, 'theirs');
  await must(world, ['init', '-q', repo], world.home.home);
  execFileSync('chown', ['-R', '65534:65534', repo]);
  const r = await runIn(world, repo, ['migrate', '--dry-run']);
  t.is(r.code, 1);
  t.regex(r.stderr, new RegExp(`^cc-helper: git cannot open the repository at ${repo} \\(fatal: detected dubious ownership in repository at '${repo}'.*\\): fix that first; nothing was changed\\n$`));
});

/** `cc-helper ARGS` with `dir` as the working directory. */
function runIn(world: CodeCommitWorld, dir: string, args: string[]) {
  return run(process.execPath, [HELPER_BIN, ...args], { cwd: dir, env: world.env });
}
