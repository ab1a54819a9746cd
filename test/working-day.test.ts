// Issue 20's working day, end to end under a simulated clock (test/support/working-day.ts): sign
// in at 08:59, a git operation every 20 minutes until 17:00 (a clone, four pushes through the
// CodeCommit stand-in, the rest `git credential fill`), each a real process under faketime whose
// answer is checked by an independent CodeCommit signature check; the stand-ins follow the same
// clock and count every refresh. The figures are logged (t.log, shown with `npx ava --verbose`);
// `node dist/scripts/working-day.js [--helper <bin>]` prints them for any build (main's answered
// 3 of 25 SSO gets and 0 of 25 `aws login` gets: see CONTRIBUTING.md).
//
// Expected, from the services' rules alone:
// - Identity Center: the 08:59 token lasts to 09:59; role credentials last an hour and are used
//   while more than 15 minutes remain (botocore's window), so the token is needed at 09:00 and
//   then on each hour as the role credentials run out: a refresh at 10:00, 11:00, ..., 16:00 (7,
//   one per token expiry; 16:00's token is cut at the session's end, 16:59). 24 gets answer; at
//   17:00 the session is over: one refused refresh, one line naming `aws sso login`, quit=1.
//   The AWS CLI's own helper (Debian's 2.9) lives the identical day with exactly these figures
//   (the last test here): the yardstick. (The "25 of 25 with 8 refreshes" for the CLI
//   must have had a longer session: 17:00 is past an 8-hour session begun at 08:59.)
// - aws login: credentials last 15 minutes and refresh with fewer than 5 left; 20 minutes apart,
//   every get after 09:00 meets expired credentials: 24 refreshes (09:20 ... 17:00), 25 answers.
//   The session lasts 12 h (to 20:59): a get at 21:00 is refused with one line naming `aws login`.
import test from 'ava';
import { FAKETIME } from './support/simulated-clock.js';
import { isExecutable } from './support/prng.js';
import { AWS_CLI } from './support/sign-in-world.js';
import { formatDay, runWorkingDay, type DayReport } from './support/working-day.js';

function hourly(from: number, to: number, minutes = [0]): string[] {
  const times: string[] = [];
  for (let h = from; h <= to; h++) for (const m of minutes) times.push(`${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  return times;
}

function noSecretAnywhere(t: { false: (v: boolean, m?: string) => void }, day: DayReport): void {
  const output = [...day.stderr, ...day.rows.map((r) => r.problem ?? '')].join('\n');
  for (const secret of day.secrets) t.false(output.includes(secret), 'a secret reached stderr');
}

test('a working day on IAM Identity Center: every get answers until the session ends, one token refresh per expiry', async (t) => {
  if (!isExecutable(FAKETIME)) return t.fail(`${FAKETIME} is missing: apt-get install faketime (CI installs it)`);
  t.timeout(240_000);
  const day = await runWorkingDay('sso');
  t.log(`\n${formatDay(day)}`);
  t.deepEqual(day.rows.filter((r) => r.inSession && !r.answered).map((r) => `${r.at} ${r.how}: ${r.problem}`), [], 'every get while the session lasted answered');
  t.is(day.inSession.gets, 24);
  t.is(day.answered, 24, '24 of the 25 gets fall inside the 8-hour session (08:59-16:59)');
  t.deepEqual(day.refreshTimes, hourly(10, 16), 'one refresh per token expiry, when the role credentials need a new token');
  t.is(day.roleFetches, 8, 'one GetRoleCredentials per hour of role credentials');
  t.deepEqual(
    day.rows.filter((r) => r.inSession && r.stderr !== '').map((r) => `${r.at}: ${r.stderr.trim()}`),
    [],
    'the refreshes are silent, as the AWS CLI\'s are',
  );
  t.deepEqual(day.refusedRefreshes, [{ at: '17:00', error: 'InvalidGrantException' }], 'no refresh token was presented twice; one refused refresh once the session ended');
  t.is(day.afterSession.stdout, 'quit=1\n');
  t.regex(day.afterSession.stderr, /^cc-helper: [^\n]*aws sso login --profile day[^\n]*\n$/, 'one line that names the command');
  noSecretAnywhere(t, day);
});

test('a working day on aws login: every get answers for the 12-hour session, refreshing the 15-minute credentials as they run out', async (t) => {
  if (!isExecutable(FAKETIME)) return t.fail(`${FAKETIME} is missing: apt-get install faketime (CI installs it)`);
  t.timeout(240_000);
  const day = await runWorkingDay('login');
  t.log(`\n${formatDay(day)}`);
  t.deepEqual(day.rows.filter((r) => r.inSession && !r.answered).map((r) => `${r.at} ${r.how}: ${r.problem}`), [], 'every get while the session lasted answered');
  t.is(day.answered, 25);
  t.deepEqual(day.refreshTimes, hourly(9, 17, [0, 20, 40]).filter((at) => at > '09:00' && at <= '17:00'), 'a refresh at each get whose credentials had run out, no other');
  t.is(day.refreshes, 24);
  t.deepEqual(
    day.rows.filter((r) => r.inSession && r.stderr !== '').map((r) => `${r.at}: ${r.stderr.trim()}`),
    [],
    'the refreshes are silent',
  );
  t.deepEqual(day.refusedRefreshes, [{ at: '21:00', error: 'AccessDeniedException/TOKEN_EXPIRED' }], 'no refresh token was presented twice; one refused refresh once the session ended');
  t.is(day.afterSession.stdout, 'quit=1\n');
  t.regex(day.afterSession.stderr, /^cc-helper: [^\n]*aws login --profile day[^\n]*\n$/, 'one line that names the command');
  noSecretAnywhere(t, day);
});

test('the yardstick: the AWS CLI\'s own helper lives the same Identity Center day with the same figures', async (t) => {
  if (!isExecutable(FAKETIME) || !isExecutable(AWS_CLI)) return t.fail(`${FAKETIME} and ${AWS_CLI} are needed: apt-get install faketime awscli (CI installs them)`);
  t.timeout(240_000);
  const day = await runWorkingDay('sso', { awsCli: true });
  t.log(`\n${formatDay(day)}`);
  t.deepEqual(day.rows.filter((r) => r.inSession && !r.answered).map((r) => `${r.at} ${r.how}: ${r.problem}`), []);
  t.is(day.answered, 24);
  t.deepEqual(day.refreshTimes, hourly(10, 16));
  t.is(day.roleFetches, 8);
  t.deepEqual(day.refusedRefreshes, [{ at: '17:00', error: 'InvalidGrantException' }]);
  t.not(day.afterSession.code, 0, 'and after the session the CLI fails too');
});
