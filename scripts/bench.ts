// `npm run bench`: times the helper as git runs it (a fresh process per request, the request on
// stdin, stdout read to the end) against baselines measured in the same run: `node -e 0`, the
// floor for any Node program, the AWS CLI's own helper when /usr/bin/aws is installed, and whole
// git operations with a helper that costs nothing.
//
//   node dist/scripts/bench.js [--quick] [--runs N] [--aws-runs N] [--secrets N] [--no-aws]
//                              [--only NAME,...] [--helper-line LINE]... [--out FILE]
//
// Random secrets: every case that signs runs against a pool of temporary HOMEs (--secrets, at
// least 20 unless --quick), each with its own random access key and secret written into its AWS
// files; run n uses HOME n modulo the pool. The signing time is the wall clock of each run (the
// bench spans minutes, and a random secret makes every derived key random anyway), so no case
// signs the same bytes twice. Why: V8 optimises the hash loop of a pure-JS SHA-256 or not
// depending on the values it meets, so one fixed key can make the helper look faster or slower
// than it is.
//
// Large files: the 5,000- and 50,000-profile cases run with files that two warm-up gets, 3 s
// apart, read whole and found clean, so cc-helper trusts them (src/aws-files/clean-file-memo.ts): every
// get after those. The "-changed" cases rewrite their file before each run, outside its time, so each
// run is the first get after a change and reads the whole file.
//
// Sign-ins (`aws sso login`, `aws login`): the caches the AWS CLI writes, in each HOME of the pool,
// with loopback stand-ins for the services (standins/identity-center-standin.ts,
// signin-standin.ts). The "after a refresh" cases first run one get per HOME outside any time, which
// refreshes the sign-in (the token or credentials are inside their refresh window) and leaves
// what cc-helper wrote; the timed gets then find those caches warm. Each case checks after its runs
// that no timed get called the service (only the preparing gets did).
//
// Whole git operations: `git ls-remote` and `git fetch` (in an up-to-date clone) against the
// loopback CodeCommit stand-in (real HTTPS, real signature checks, real git http-backend, behind
// a CONNECT proxy so git uses the real portless URL), once with cc-helper's helper line and once
// with a zero-cost helper: a shell function that prints an answer cc-helper computed before the
// round. The ratio is what cc-helper adds to what a git user waits for. A third line execs
// `node -e` to print the same fixed answer: the floor for any helper that runs on Node. --helper-line replaces the
// cc-helper lines measured ({node}, {bin} and {profile} are filled in; `codecommit` finds
// git-credential-codecommit on PATH), so another way of starting the helper can be measured too.
//
// Wall time: measured here, from spawn() to the child's exit with its pipes closed.
// Peak memory: the child's maximum resident set size as reported by GNU time (`/usr/bin/time -f
// %M`, i.e. getrusage ru_maxrss of the exited child), from separate runs so the wrapper's own
// exec never lands in the wall times. Without /usr/bin/time the memory column reads n/a.
// Environment: built from scratch for every case (PATH, HOME, LANG, the AWS and git variables),
// so NODE_OPTIONS or NODE_EXTRA_CA_CERTS from a developer's shell, which add their own cost to
// every Node process (a CA bundle about doubles Node's start), stay out of the numbers.
//
// The JSON (--out) feeds scripts/perf-table.ts, which writes the table in docs/performance.md.
//
// The parts: bench/options.ts (this command line), bench/world.ts (the temporary HOMEs, random
// secrets and the stand-ins), bench/cases.ts and bench/git-cases.ts (what is measured),
// bench/runs.ts (timing, warm-ups, guards, peak memory) and bench/report.ts (table, targets, JSON).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHelperCases, buildProbes } from './bench/cases.js';
import { startGitWorld, type GitWorld } from './bench/git-cases.js';
import { parseOptions, selected } from './bench/options.js';
import { readLoadAverage, report, summarise } from './bench/report.js';
import { measure, type Case } from './bench/runs.js';
import { HELPER_BIN, secretPool, startServices } from './bench/world.js';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(HELPER_BIN)) throw new Error(`${HELPER_BIN} is missing: run \`npm run build\` first`);
  const root = mkdtempSync(join(tmpdir(), 'cc-helper-bench-'));
  const loadAtStart = readLoadAverage();
  const services = await startServices();
  let git: GitWorld | undefined;
  try {
    const floorEnv = secretPool(root, 'floor', 1, () => ({ credentials: '' })).env;
    const wantGit = options.only === null || options.only.some((name) => name.startsWith('git'));
    if (wantGit) git = await startGitWorld(root, options);
    const cases = [
      { name: 'node -e 0', label: 'node -e 0 (the floor)', kind: 'floor', command: process.execPath, args: ['-e', '0'], env: floorEnv, input: '', expect: () => true } satisfies Case,
      ...(await buildProbes(root, floorEnv)),
      ...buildHelperCases(root, services, options),
      ...(git?.cases ?? []),
    ].filter((c) => selected(c.name, options.only));
    const samples = await measure(cases, options, root, async () => git?.refresh());
    if (cases.some((c) => c.name === 'role') && services.sts.callCount('AssumeRole') === 0) throw new Error('the role case never reached the STS stand-in');
    report(options, summarise(cases, samples), loadAtStart, wantGit ? options.helperLines : []);
  } finally {
    await services.close();
    await git?.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
