// `node dist/scripts/git-op-bench.js [--runs N]`: what cc-helper costs a whole git operation.
// Times `git ls-remote` and `git fetch` against the loopback CodeCommit stand-in (through its
// CONNECT proxy, as in the tests), round-robin over these helper configurations, and reports
// each one's median and its share of the operation: (case − none) / case.
//   none      the password in the URL and no helper at all: git's own cost
//   zero      a shell snippet printing a fixed, valid answer: the floor for any helper
//   path      `codecommit --profile X` (git credential-codecommit on PATH): the old setup line
//   absolute  `!node cc-helper.js --profile X`: Node for get and for store
//   current   what setup writes now: Node for get only, the shell drains store/erase
// The stand-in and its proxy run in this process (asynchronously, so they answer while git runs).
// Ratios within one run are what to compare (a loaded machine moves all of them together).
import { join } from 'node:path';
import { startCodeCommitWorld } from '../test/support/codecommit-world.js';
import { run } from '../test/support/git-env.js';
import { runHelper, PACKAGE_ROOT } from '../test/support/helper-process.js';
import { helperLine, shellQuote } from '../src/setup/helper-line.js';

const PATTERN = 'https://git-codecommit.*.amazonaws.com';
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;

async function main(): Promise<void> {
  const world = await startCodeCommitWorld({ helperLine: null });
  try {
    await world.codecommit.addRepo('bench', { initialCommit: { files: { 'README.md': 'bench\n' } } });
    const url = world.codecommit.repoUrl('bench');
    const script = join(PACKAGE_ROOT, 'bin', 'cc-helper.js');
    // One real answer, reused by `zero` and `none` (a password is good for 15 minutes).
    const u = new URL(url);
    const got = await runHelper(['--profile', 'CodeCommitProfile', 'get'], `protocol=https\nhost=${u.host}\npath=${u.pathname.slice(1)}\n\n`, world.env as NodeJS.ProcessEnv);
    const username = /^username=(.*)$/m.exec(got.stdout)![1]!;
    const password = /^password=(.*)$/m.exec(got.stdout)![1]!;
    const withCredentials = `https://${username}:${password}@${u.host}${u.pathname}`;
    const cases: Record<string, { helper: string | null; url: string }> = {
      none: { helper: null, url: withCredentials },
      zero: { helper: `!f() { test "$1" = get && printf '%s\\n' ${shellQuote(`username=${username}`)} ${shellQuote(`password=${password}`)}; }; f`, url },
      path: { helper: 'codecommit --profile CodeCommitProfile', url },
      absolute: { helper: `!${shellQuote(process.execPath)} ${shellQuote(script)} --profile CodeCommitProfile`, url },
      current: { helper: helperLine('CodeCommitProfile', { node: process.execPath, script }), url },
    };
    const repo = join(world.home.home, 'clone');
    if ((await run('git', ['init', '-q', repo], { env: world.env })).code !== 0) throw new Error('git init failed');
    const ops: Record<string, (c: { url: string }) => string[]> = {
      'ls-remote': (c) => ['ls-remote', c.url],
      fetch: (c) => ['-C', repo, 'fetch', '-q', c.url, 'main'],
    };
    const times = new Map<string, number[]>();
    const cpuTimes = new Map<string, number[]>();
    for (let round = 0; round < RUNS + 1; round++) {
      for (const [opName, op] of Object.entries(ops)) {
        for (const [name, c] of Object.entries(cases)) {
          // What setup's block says (reset, helper, useHttpPath), given to git through its environment.
          const env = {
            ...world.env,
            GIT_CONFIG_COUNT: '3',
            GIT_CONFIG_KEY_0: `credential.${PATTERN}.useHttpPath`,
            GIT_CONFIG_VALUE_0: 'true',
            GIT_CONFIG_KEY_1: `credential.${PATTERN}.helper`,
            GIT_CONFIG_VALUE_1: '',
            GIT_CONFIG_KEY_2: `credential.${PATTERN}.helper`,
            GIT_CONFIG_VALUE_2: c.helper ?? '',
          } as NodeJS.ProcessEnv;
          if (c.helper === null) env.GIT_CONFIG_COUNT = '2';
          const started = process.hrtime.bigint();
          // Asynchronous: the stand-in and its proxy answer from this process's event loop.
          // bash's `time` adds the CPU time of git and every process it waited for (the helpers),
          // which a loaded machine does not inflate the way it inflates wall time.
          const r = await run('bash', ['-c', 'TIMEFORMAT="cpu %3U %3S"; time git "$@" >/dev/null', 'bash', ...op(c)], { env: { ...env, BASH_ENV: '' } });
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const cpu = /cpu (\d+\.\d+) (\d+\.\d+)\s*$/.exec(r.stderr);
          if (r.code !== 0 || !cpu) throw new Error(`${opName} ${name} failed: ${r.stderr}`);
          if (round === 0) continue; // warm-up
          const key = `${opName}\0${name}`;
          times.set(key, [...(times.get(key) ?? []), ms]);
          cpuTimes.set(key, [...(cpuTimes.get(key) ?? []), (Number(cpu[1]) + Number(cpu[2])) * 1000]);
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`git-op-bench: ${RUNS} runs a case, round-robin; ${process.version}; loopback stand-in through a CONNECT proxy`);
    console.log('operation   case      wall ms  share   CPU ms  share   (medians; share = (case - none) / case)');
    const share = (m: number, none: number, name: string) => (name === 'none' ? '' : `${(((m - none) / m) * 100).toFixed(0)} %`).padStart(5);
    for (const opName of Object.keys(ops)) {
      const none = median(times.get(`${opName}\0none`)!);
      const noneCpu = median(cpuTimes.get(`${opName}\0none`)!);
      for (const name of Object.keys(cases)) {
        const m = median(times.get(`${opName}\0${name}`)!);
        const c = median(cpuTimes.get(`${opName}\0${name}`)!);
        console.log(`${opName.padEnd(11)} ${name.padEnd(9)} ${m.toFixed(1).padStart(7)}  ${share(m, none, name)}  ${c.toFixed(0).padStart(6)}  ${share(c, noneCpu, name)}`);
      }
    }
  } finally {
    await world.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
