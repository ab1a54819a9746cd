// Whole git operations: `git ls-remote` and `git fetch` against the loopback CodeCommit stand-in
// (real HTTPS, real signature checks, git http-backend, behind a CONNECT proxy so git uses the real
// portless URL), with cc-helper's helper lines, a zero-cost helper and the Node floor.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeCommitStandIn, type CodeCommitStandIn } from '../../standins/codecommit-standin.js';
import { routeHostsTo, startConnectProxy, type ConnectProxy } from '../../standins/connect-proxy.js';
import { answered, helperCase } from './cases.js';
import { DEFAULT_HELPER_LINES, type Options } from './options.js';
import { runOnce, type Case } from './runs.js';
import { CANARY, GIT_CREDENTIAL_BIN, HELPER_BIN, HOST, PROFILE, REPO, secretPool, staticSection, SYSTEM_PATH } from './world.js';

export interface GitWorld {
  codecommit: CodeCommitStandIn;
  proxy: ConnectProxy;
  /** Computes a fresh answer for the zero-cost helper (CodeCommit refuses one older than 15 minutes). */
  refresh: () => Promise<void>;
  cases: Case[];
  close: () => Promise<void>;
}

/** Fills {node}, {bin}, {profile} in a helper line. */
function expandHelperLine(line: string): string {
  return line.replaceAll('{node}', process.execPath).replaceAll('{bin}', HELPER_BIN).replaceAll('{profile}', PROFILE);
}

export async function startGitWorld(root: string, options: Options): Promise<GitWorld> {
  const codecommit = await startCodeCommitStandIn({ hostnames: [HOST], keys: [] });
  await codecommit.addRepo(REPO, { initialCommit: { files: { 'README.md': '# bench\n', 'a.txt': 'a\n'.repeat(1000) } } });
  const proxy = await startConnectProxy({ routes: routeHostsTo(codecommit.port, codecommit.hostnames) });
  const url = codecommit.repoUrl(REPO, HOST);
  // `helper = codecommit` runs `git credential-codecommit`: a bin dir with that name on PATH, as an npm install gives.
  const binDir = join(root, 'git-bin');
  mkdirSync(binDir);
  symlinkSync(GIT_CREDENTIAL_BIN, join(binDir, 'git-credential-codecommit'));

  const gitEnv = (home: string): NodeJS.ProcessEnv => ({
    PATH: `${binDir}:${SYSTEM_PATH}`,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    GIT_SSL_CAINFO: codecommit.caCertPath,
    LC_ALL: 'C',
  });
  // Quoted, so that a shell snippet's `;`, `#`, `"` and `\` reach git as written.
  const quoted = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const gitConfig = (helperLine: string) =>
    `[http]\n\tproxy = ${proxy.url}\n[credential "https://git-codecommit.*.amazonaws.com"]\n\thelper =\n\thelper = ${quoted(helperLine)}\n\tuseHttpPath = true\n`;
  /** An up-to-date clone in each HOME, for `git fetch`. */
  const clone = async (env: NodeJS.ProcessEnv) => {
    const done = await runOnce({ name: 'clone', label: '', kind: 'git', command: 'git', args: ['clone', '--quiet', url, 'clone'], env: () => env, cwd: () => env.HOME!, input: '', expect: () => true });
    if (done.code !== 0) throw new Error(`bench: git clone from the stand-in failed: ${done.stderr}`);
  };

  const cases: Case[] = [];
  const operations = [
    { op: 'ls-remote', args: ['ls-remote', url], cwd: (env: NodeJS.ProcessEnv) => env.HOME! },
    { op: 'fetch', args: ['fetch', '--quiet', 'origin'], cwd: (env: NodeJS.ProcessEnv) => join(env.HOME!, 'clone') },
  ];
  const gitCase = (name: string, label: string, op: (typeof operations)[number], env: (run: number) => NodeJS.ProcessEnv, versus?: string): Case => ({
    name, label, kind: 'git', command: 'git', args: op.args, env, cwd: (run) => op.cwd(env(run)), input: '', expect: () => true, versus,
  });

  // The zero-cost helper: a shell function printing the answer cc-helper gave for its key.
  const zeroHome = secretPool(root, 'git-zero', 1, (key) => ({ credentials: staticSection(PROFILE, key) }), (home) => gitEnv(home));
  const zeroEnv = zeroHome.envs[0]!;
  codecommit.keys.push({ accessKeyId: zeroHome.keys[0]!.id, secretAccessKey: zeroHome.keys[0]!.secret });
  // The Node floor: the same fixed answer printed by `node -e`, through the same kind of line as
  // setup's. No helper written for Node can cost git less than this.
  const nodeFloorHome = secretPool(root, 'git-node-floor', 1, () => ({ credentials: '' }), (home) => gitEnv(home));
  const nodeFloorEnv = nodeFloorHome.envs[0]!;
  const refresh = async () => {
    const got = await runOnce(helperCase('answer', '', () => zeroEnv));
    if (!answered(got.stdout)) throw new Error(`bench: cc-helper gave no answer for the zero-cost helper: ${got.stderr}`);
    const lines = got.stdout.trim().split('\n').map((line) => `'${line}'`).join(' ');
    writeFileSync(join(zeroEnv.HOME!, '.gitconfig'), gitConfig(`!f() { test "$1" = get && printf '%s\\n' ${lines}; true; }; f`));
    const script = `process.stdout.write(${JSON.stringify(got.stdout)})`;
    writeFileSync(join(nodeFloorEnv.HOME!, '.gitconfig'), gitConfig(`!f() { test "$1" = get && exec '${process.execPath}' -e '${script}'; while read -r _; do :; done; }; f`));
  };
  await refresh();
  await clone(zeroEnv);
  await clone(nodeFloorEnv);
  for (const op of operations) {
    cases.push(gitCase(`git:${op.op}:zero`, `git ${op.op}, zero-cost helper (prints a fixed answer)`, op, () => zeroEnv));
    cases.push(gitCase(`git:${op.op}:node-floor`, `git ${op.op}, a Node helper that only prints a fixed answer (the floor for Node)`, op, () => nodeFloorEnv, `git:${op.op}:zero`));
  }

  for (const [i, line] of options.helperLines.entries()) {
    const helperLine = expandHelperLine(line);
    const pool = secretPool(root, `git-${i}`, options.secrets, (key) => ({ credentials: staticSection('default', CANARY) + '\n' + staticSection(PROFILE, key) }), (home) => gitEnv(home));
    for (const key of pool.keys) codecommit.keys.push({ accessKeyId: key.id, secretAccessKey: key.secret });
    for (const env of pool.envs) {
      writeFileSync(join(env.HOME!, '.gitconfig'), gitConfig(helperLine));
      await clone(env);
    }
    const shown = line.replaceAll('{node}', 'node').replaceAll('{bin}', 'bin/cc-helper.js').replaceAll('{profile}', PROFILE);
    for (const op of operations) {
      const name = `git:${op.op}:${options.helperLines === DEFAULT_HELPER_LINES ? ['setup-line', 'codecommit'][i] : `line-${i + 1}`}`;
      cases.push(gitCase(name, `git ${op.op}, helper = ${shown}`, op, pool.env, `git:${op.op}:zero`));
    }
  }
  return {
    codecommit,
    proxy,
    refresh,
    cases,
    close: async () => {
      await proxy.close();
      await codecommit.close();
    },
  };
}