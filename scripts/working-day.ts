// Prints issue 20's working day (standins/working-day.ts) for a build of cc-helper: sign in at
// 08:59, a git operation every 20 minutes until 17:00, every process under faketime at its
// simulated time against the loopback stand-ins. test/working-day.test.ts asserts the figures for
// this build; this prints them for any build, e.g. one of main before the refresh existed:
//
//   node dist/scripts/working-day.js [--helper /path/to/bin/cc-helper.js] [--kind sso|login|both] [--no-git] [--json]
//   node dist/scripts/working-day.js --aws-cli      the same SSO day with the AWS CLI's own helper (Debian's 2.9)
import { parseArgs } from 'node:util';
import { formatDay, runWorkingDay, type DayReport } from '../standins/working-day.js';
import type { SignInKind } from '../standins/sign-in-world.js';

const USAGE = 'usage: node dist/scripts/working-day.js [--helper BIN | --aws-cli] [--kind sso|login|both] [--no-git] [--json]\n';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { helper: { type: 'string' }, 'aws-cli': { type: 'boolean' }, kind: { type: 'string', default: 'both' }, 'no-git': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const { kind } = values;
  if (!['sso', 'login', 'both'].includes(kind)) throw new Error(USAGE);
  const awsCli = values['aws-cli'] === true;
  const kinds: SignInKind[] = awsCli ? ['sso'] : kind === 'both' ? ['sso', 'login'] : [kind as SignInKind];
  const helperBin = values.helper;
  // The two days share nothing: run them side by side, as the test does.
  const days: DayReport[] = await Promise.all(kinds.map((k) => runWorkingDay(k, { git: values['no-git'] !== true, awsCli, ...(helperBin ? { helperBin } : {}) })));
  if (values.json) {
    process.stdout.write(JSON.stringify(days.map(({ secrets: _s, stderr: _e, ...day }) => day), null, 2) + '\n');
    return;
  }
  process.stdout.write(days.map(formatDay).join('\n\n') + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`working-day: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
