// The bench's command line (node:util parseArgs, strict: a mistyped option is an error, not a
// silently different run), with the defaults: 40 runs a case, 12 for the AWS CLI, 20 random
// secrets; --quick for CI.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { didYouMean } from '../../src/cli/args.js';
import { AWS_CLI, PACKAGE_ROOT } from './world.js';

/**
 * The line `cc-helper setup` writes (absolute paths; Node starts only for `get`), and the short
 * hand-written `codecommit` form for comparison (Node for every action, plus git's own lookup).
 */
export const DEFAULT_HELPER_LINES = [
  `!f() { test "$1" = get && exec {node} {bin} --profile {profile} "$@"; while read -r _; do :; done; }; f`,
  `codecommit --profile {profile}`,
];

export interface Options {
  quick: boolean;
  runs: number;
  awsRuns: number;
  secrets: number;
  memoryRuns: number;
  aws: boolean;
  only: string[] | null;
  helperLines: string[];
  out: string;
}

const USAGE = `usage: node dist/scripts/bench.js [options]
  --quick             3 runs a case, 1 for the AWS CLI: proves the bench works (CI); numbers are
                      information, targets are not judged
  --runs N            runs per case (default 40)
  --aws-runs N        runs per AWS CLI case (default 12; each costs about half a second)
  --secrets N         random keys (temporary HOMEs) per case (default 20, the least allowed
                      outside --quick)
  --no-aws            skip the AWS CLI even when ${AWS_CLI} exists
  --only A,B          only these cases (and node -e 0): names as in the JSON, a trailing * matches
                      a prefix (e.g. --only static,git:*)
  --helper-line LINE  a cc-helper line for the git cases instead of the two setup writes
                      (repeatable; {node}, {bin}, {profile} are filled in)
  --out FILE          where the JSON result goes (default .bench/result.json)
`;

const OPTIONS = {
  quick: { type: 'boolean' },
  runs: { type: 'string' },
  'aws-runs': { type: 'string' },
  secrets: { type: 'string' },
  'no-aws': { type: 'boolean' },
  only: { type: 'string' },
  'helper-line': { type: 'string', multiple: true },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseOptions(argv: string[]): Options {
  // An unknown option is named with the closest known one; then parseArgs's own strict parse
  // refuses the rest (a missing value, a value for a flag, an argument).
  for (const token of parseArgs({ args: argv, options: OPTIONS, strict: false, tokens: true }).tokens) {
    if (token.kind === 'option' && !Object.hasOwn(OPTIONS, token.name)) throw new Error(`unknown option ${token.rawName}${didYouMean(token.name, Object.keys(OPTIONS), '--')}: see --help`);
  }
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const runs = Number(values.runs ?? (quick ? 3 : 40));
  const awsRuns = Number(values['aws-runs'] ?? (quick ? 1 : 12));
  const secrets = Number(values.secrets ?? (quick ? 3 : 20));
  if (!(runs >= 1) || !(awsRuns >= 1) || !(secrets >= 1)) throw new Error('--runs, --aws-runs and --secrets take a positive number');
  if (!quick && secrets < 20) throw new Error('--secrets: at least 20 random keys outside --quick');
  const only = values.only;
  const helperLines = values['helper-line'] ?? [];
  return {
    quick,
    runs,
    awsRuns,
    secrets: Math.min(secrets, Math.max(runs, awsRuns) + 2),
    memoryRuns: quick ? 1 : 5,
    aws: values['no-aws'] !== true && existsSync(AWS_CLI),
    only: only ? only.split(',').map((s) => s.trim()).filter(Boolean) : null,
    helperLines: helperLines.length ? helperLines : DEFAULT_HELPER_LINES,
    out: resolve(values.out ?? join(PACKAGE_ROOT, '.bench', quick ? 'result-quick.json' : 'result.json')),
  };
}

export function selected(name: string, only: string[] | null): boolean {
  if (!only || name === 'node -e 0') return true;
  return only.some((want) => (want.endsWith('*') ? name.startsWith(want.slice(0, -1)) : name === want));
}