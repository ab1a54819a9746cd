// `npm run demo`: the whole job on an embedded default, against the local CodeCommit stand-in.
// Nothing leaves loopback and nothing outside a throwaway HOME is touched. Needs git and openssl
// (the stand-in's throwaway CA).
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CANARY_KEY, PROFILE_KEY, startCodeCommitWorld } from '../standins/codecommit-world.js';
import { runHelper } from '../standins/helper-process.js';
import { mask } from '../src/support/trace.js';

// Bold steps and a green verdict on a terminal; plain text in a pipe, a log, or with NO_COLOR.
const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const step = (n: number, text: string) => console.log(`\n${paint('1', `${n}. ${text}`)}`);
const indent = (text: string) => text.trimEnd().split('\n').map((l) => `   ${l}`).join('\n');

/** The programs the stand-in needs, checked before anything is made (so nothing is left behind). */
function checkPrerequisites(): void {
  for (const [program, args, why] of [
    ['git', ['--version'], 'the demo drives real git'],
    ['openssl', ['version'], 'the stand-in makes a throwaway CA with it'],
  ] as const) {
    const r = spawnSync(program, args, { stdio: 'ignore' });
    if (r.error || r.status !== 0) throw new Error(`${program} is not installed (${why}): install it (e.g. apt-get install ${program}) and run the demo again`);
  }
}

async function demo(): Promise<void> {
  checkPrerequisites();
  // No credential helper configured yet: step 3 has `cc-helper setup` write it.
  const world = await startCodeCommitWorld({ helperLine: null });
  try {
    const url = world.codecommit.repoUrl('demo');
    step(1, 'A CodeCommit stand-in is running on loopback');
    console.log(indent(
      `HTTPS on 127.0.0.1:${world.codecommit.port} (certificate from a throwaway CA), checking every SigV4 password,\n` +
        `serving repositories with git http-backend; git reaches it as ${url}\n` +
        `through a CONNECT proxy at ${world.proxy.url}.`,
    ));
    await world.codecommit.addRepo('demo', { initialCommit: { files: { 'README.md': '# demo\n' } } });

    step(2, `A throwaway HOME (${world.home.home})`);
    console.log(indent(
      `~/.aws/credentials: [default] holds canary keys (${mask(CANARY_KEY.accessKeyId)}) that must never be used,\n` +
        `[CodeCommitProfile] holds the code account's keys (${mask(PROFILE_KEY.accessKeyId)}).\n` +
        'No credential helper is configured for CodeCommit yet.',
    ));

    step(3, 'cc-helper setup --profile CodeCommitProfile');
    const setup = await runHelper(['setup', '--profile', 'CodeCommitProfile'], '', world.env);
    console.log(indent(setup.stdout + setup.stderr));
    if (setup.code !== 0) throw new Error('setup failed');
    const owned = /path = (.*cc-helper.*\.gitconfig)$/m.exec(await readFile(join(world.home.home, '.gitconfig'), 'utf8'))?.[1];
    if (!owned) throw new Error('setup wrote no include into ~/.gitconfig');
    const firstSection = (await readFile(owned, 'utf8')).split(/\n(?=\[)/).find((section) => section.startsWith('[credential'));
    console.log(indent(`what git reads for the standard hosts, in cc-helper's own file:\n${(firstSection ?? '').trimEnd()}`));

    step(4, `git clone ${url}`);
    const clone = await world.git(['clone', url, 'demo']);
    console.log(indent(clone.stderr || '(no output)'));
    if (clone.code !== 0) throw new Error('clone failed');

    step(5, 'What cc-helper answered git (run by hand with --debug; secrets never printed)');
    const answer = await runHelper(
      ['--debug', '--profile', 'CodeCommitProfile', 'get'],
      'protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/demo\n\n',
      world.env,
    );
    console.log(indent(answer.stderr.split('\n').filter((l) => !l.includes('read the request') && !l.includes('answered')).join('\n')));
    console.log(indent(answer.stdout.replace(/(password=\d{8}T\d{6}Z)[0-9a-f]+/, '$1<64 hex digits>')));

    step(6, 'Commit and git push');
    const work = join(world.home.home, 'demo');
    await writeFile(join(work, 'hello.txt'), 'pushed through cc-helper\n');
    await world.git(['add', '.'], work);
    await world.git(['commit', '-q', '-m', 'Say hello through cc-helper'], work);
    const push = await world.git(['push', 'origin', 'HEAD:main'], work);
    console.log(indent(push.stderr || '(no output)'));
    if (push.code !== 0) throw new Error('push failed');

    step(7, 'What the stand-in saw');
    for (const entry of world.codecommit.log) {
      console.log(indent(`${entry.method.padEnd(4)} ${entry.path.padEnd(48)} ${entry.outcome.padEnd(9)} ${entry.accessKeyId ? mask(entry.accessKeyId) : ''}`));
    }
    const used = new Set(world.codecommit.acceptedKeyIds());
    const canaryUsed = world.codecommit.log.some((e) => e.accessKeyId === CANARY_KEY.accessKeyId);
    console.log(indent(`keys accepted: ${[...used].map(mask).join(', ')}; canary [default] used: ${canaryUsed ? 'YES (bug!)' : 'never'}`));

    step(8, 'And with AWS_PROFILE=default and no --profile, cc-helper refuses instead of touching the canary');
    const refused = await runHelper(['get'], 'protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/demo\n\n', { ...world.env, AWS_PROFILE: 'default' });
    console.log(indent(`stderr: ${refused.stderr.trim()}\nstdout: ${refused.stdout.trim()}`));

    if (canaryUsed || !used.has(PROFILE_KEY.accessKeyId) || refused.stdout !== 'quit=1\n') throw new Error('unexpected outcome');
    console.log(`\n${paint('32', 'Demo complete: set up, cloned and pushed with CodeCommitProfile, never with [default].')}`);
  } finally {
    await world.close();
  }
}

demo().catch((error: unknown) => {
  const reason = error instanceof Error ? error.message || error.name : String(error);
  console.error(`demo failed: ${reason || 'no reason given (rerun with CC_HELPER_DEBUG=1)'}`);
  process.exitCode = 1;
});
