// Real git, the real helper, a CodeCommit stand-in that checks every signature itself.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CANARY_KEY, PROFILE_KEY, startCodeCommitWorld } from '../standins/codecommit-world.js';
import { needs, POSIX } from './support/prerequisites.js';

// Not yet ported to Windows (sh, file modes, signals): skipped there, with the reason.
const test = needs(POSIX);

test('clone and push with the named profile; the canary [default] is never used', async (t) => {
  const world = await startCodeCommitWorld();
  t.teardown(() => world.close());
  await world.codecommit.addRepo('demo', { initialCommit: { files: { 'README.md': 'hello\n' } } });

  const clone = await world.git(['clone', world.codecommit.repoUrl('demo'), 'demo']);
  t.is(clone.code, 0, clone.stderr);
  const work = join(world.home.home, 'demo');
  await writeFile(join(work, 'change.txt'), 'pushed through cc-helper\n');
  t.is((await world.git(['add', '.'], work)).code, 0);
  t.is((await world.git(['commit', '-m', 'change'], work)).code, 0);
  const push = await world.git(['push', 'origin', 'HEAD:main'], work);
  t.is(push.code, 0, push.stderr);

  const local = (await world.git(['rev-parse', 'HEAD'], work)).stdout.trim();
  const remote = (await world.git(['--git-dir', world.codecommit.gitDir('demo'), 'rev-parse', 'main'])).stdout.trim();
  t.is(remote, local);
  const keys = new Set(world.codecommit.acceptedKeyIds());
  t.deepEqual([...keys], [PROFILE_KEY.accessKeyId]);
  t.false(world.codecommit.log.some((entry) => entry.accessKeyId === CANARY_KEY.accessKeyId));
  t.false(push.stderr.includes('cc-helper'), 'nothing on stderr from the helper on success');
});

test('a profile with a session token signs as <key>%<token>', async (t) => {
  const sessionKey = { accessKeyId: 'ASIASESSIONDEMO00001', secretAccessKey: 's3cr3t/with+slash=', sessionToken: 'FwoGZXIvYXdzEXAMPLE/+=token' };
  const world = await startCodeCommitWorld({ keys: [sessionKey, CANARY_KEY] });
  t.teardown(() => world.close());
  await writeFile(
    world.credentialsFile,
    `[CodeCommitProfile]\naws_access_key_id = ${sessionKey.accessKeyId}\naws_secret_access_key = ${sessionKey.secretAccessKey}\n` +
      `aws_session_token = ${sessionKey.sessionToken}\nx_security_token_expires = 2099-01-01T00:00:00Z\n`,
  );
  await world.codecommit.addRepo('tok', { initialCommit: { files: { a: 'a\n' } } });
  const clone = await world.git(['clone', world.codecommit.repoUrl('tok'), 'tok']);
  t.is(clone.code, 0, clone.stderr);
  t.deepEqual([...new Set(world.codecommit.acceptedKeyIds())], [sessionKey.accessKeyId]);
});

test('AWS_PROFILE picks the profile when the helper line names none (direnv style)', async (t) => {
  const world = await startCodeCommitWorld({ profile: 'ClientA', helperLine: 'codecommit' });
  t.teardown(() => world.close());
  await world.codecommit.addRepo('a', { initialCommit: { files: { a: 'a\n' } } });
  const withoutProfile = await world.git(['clone', world.codecommit.repoUrl('a'), 'a1']);
  t.not(withoutProfile.code, 0);
  t.regex(withoutProfile.stderr, /cc-helper: no AWS profile chosen/);
  t.false(/Username for/.test(withoutProfile.stderr), 'quit=1 stops git from prompting');

  world.env.AWS_PROFILE = 'ClientA';
  const clone = await world.git(['clone', world.codecommit.repoUrl('a'), 'a2']);
  t.is(clone.code, 0, clone.stderr);
  t.deepEqual([...new Set(world.codecommit.acceptedKeyIds())], [PROFILE_KEY.accessKeyId]);
});

test('expired credentials: git stops with cc-helper’s one line, no request is signed', async (t) => {
  const world = await startCodeCommitWorld();
  t.teardown(() => world.close());
  await writeFile(
    world.credentialsFile,
    `[CodeCommitProfile]\naws_access_key_id = ${PROFILE_KEY.accessKeyId}\naws_secret_access_key = ${PROFILE_KEY.secretAccessKey}\n` +
      'aws_session_token = old\nx_security_token_expires = 2001-01-01T00:00:00Z\n',
  );
  await world.codecommit.addRepo('x');
  const clone = await world.git(['clone', world.codecommit.repoUrl('x'), 'x']);
  t.not(clone.code, 0);
  t.regex(clone.stderr, /cc-helper: the credentials of profile "CodeCommitProfile" expired at 2001-01-01T00:00:00.000Z/);
  t.deepEqual(world.codecommit.acceptedKeyIds(), []);
  t.false(world.codecommit.log.some((e) => e.outcome === 'rejected'), 'nothing was sent to be rejected');
});

test('a stale password is refused by the stand-in (it really checks the clock)', async (t) => {
  const world = await startCodeCommitWorld();
  t.teardown(() => world.close());
  await world.codecommit.addRepo('late');
  // The stand-in's clock runs 20 minutes ahead: a fresh password looks 20 minutes old.
  world.codecommit.now = () => new Date(Date.now() + 20 * 60 * 1000);
  const clone = await world.git(['clone', world.codecommit.repoUrl('late'), 'late']);
  t.not(clone.code, 0);
  t.true(world.codecommit.log.some((e) => e.outcome === 'rejected' && e.reason === 'stale-timestamp'));
});
