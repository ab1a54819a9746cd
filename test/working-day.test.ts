// Issue 20's working day, end to end under a simulated clock (standins/working-day.ts): sign
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
import type { ExecutionContext } from 'ava';
import { AWS_CLI_V2, FAKETIME, OPENSSL, POSIX, needs } from './support/prerequisites.js';
import { simulatedClock, tomorrowAt } from '../standins/simulated-clock.js';
import { startSignInWorld, type SignInKind } from '../standins/sign-in-world.js';
import { formatDay, runWorkingDay, type DayReport } from '../standins/working-day.js';

// faketime for the clock, openssl for the CodeCommit stand-in's throwaway CA.
const test = needs(POSIX, FAKETIME, OPENSSL);

function hourly(from: number, to: number, minutes = [0]): string[] {
  const times: string[] = [];
  for (let h = from; h <= to; h++) for (const m of minutes) times.push(`${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  return times;
}

function noSecretAnywhere(t: { false: (v: boolean, m?: string) => void }, day: DayReport): void {
  const output = [...day.stderr, ...day.rows.map((r) => r.problem ?? '')].join('\n');
  for (const secret of day.secrets) t.false(output.includes(secret), 'a secret reached stderr');
}

/** After a day of rewrites: the sign-in cache folder holds its one file (no temporary file left), and every file is 0600. */
function cachesTidy(t: { deepEqual: (a: unknown, b: unknown, m?: string) => void }, day: DayReport): void {
  const folder = day.tokenFile.slice(0, day.tokenFile.lastIndexOf('/') + 1);
  t.deepEqual(Object.keys(day.awsFiles).filter((f) => f.startsWith(folder)), [day.tokenFile], `only the cache file in ${folder}`);
  t.deepEqual(Object.entries(day.awsFiles).filter(([, mode]) => mode !== '0600'), [], 'every file under ~/.aws is 0600');
}

test('a working day on IAM Identity Center: every get answers until the session ends, one token refresh per expiry', async (t) => {
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
  cachesTidy(t, day);
});

test('a working day on aws login: every get answers for the 12-hour session, refreshing the 15-minute credentials as they run out', async (t) => {
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
  cachesTidy(t, day);
});

test('a working day on a role whose source_profile is an aws login profile: the role renews hourly from refreshed login credentials', async (t) => {
  t.timeout(240_000);
  // Role credentials last an hour (the AWS CLI's cache, renewed inside 15 minutes): AssumeRole at
  // 09:00 and each hour to 17:00 (9). The login credentials are only needed then: fresh at 09:00
  // (14 minutes left), expired at every later hour: 8 refreshes, not 24.
  const day = await runWorkingDay('login', { roleOnLogin: true });
  t.log(`\n${formatDay(day)}`);
  t.deepEqual(day.rows.filter((r) => r.inSession && !r.answered).map((r) => `${r.at} ${r.how}: ${r.problem}`), [], 'every get while the session lasted answered');
  t.is(day.answered, 25);
  t.is(day.roleFetches, 9, 'one AssumeRole an hour');
  t.deepEqual(day.refreshTimes, hourly(10, 17), 'a login refresh only when the role needed new credentials');
  t.deepEqual(day.rows.filter((r) => r.inSession && r.stderr !== '').map((r) => `${r.at}: ${r.stderr.trim()}`), [], 'silently');
  t.deepEqual(day.refusedRefreshes, [{ at: '21:00', error: 'AccessDeniedException/TOKEN_EXPIRED' }]);
  t.is(day.afterSession.stdout, 'quit=1\n');
  // The command to run is the login profile's (`aws login` for the role's profile would not help).
  t.regex(day.afterSession.stderr, /^cc-helper: [^\n]*aws login --profile day[^\n]*\n$/, 'one line naming `aws login` for the source profile');
  noSecretAnywhere(t, day);
});

needs(POSIX, FAKETIME, OPENSSL, AWS_CLI_V2)('the yardstick: the AWS CLI\'s own helper lives the same Identity Center day with the same figures', async (t) => {
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

test('a legacy SSO profile (sso_start_url in the profile, no sso_session) is never refreshed, as in the AWS CLI', async (t) => {
  t.timeout(240_000);
  // The token file even holds a refresh token and a live registration: botocore still never
  // refreshes a legacy profile's token, so neither may cc-helper.
  const day = await runWorkingDay('sso', { legacySso: true, git: false });
  t.log(`\n${formatDay(day)}`);
  t.is(day.answered, 3, 'the 08:59 token serves until 09:59: 09:00, 09:20, 09:40');
  t.is(day.refreshes, 0);
  t.is(day.refreshCalls, 0, 'no CreateToken at all');
  t.true(day.rows.slice(3).every((r) => !r.answered && /aws sso login --profile day/.test(r.problem ?? '')), 'from 10:00 each get names the command');
  t.is(day.afterSession.stdout, 'quit=1\n');
});

/** A sign-in world on a simulated clock, and `at('HH:MM')`: set the clock, then one fill (or get). */
async function dayWorld(t: ExecutionContext, kind: SignInKind) {
  const clock = simulatedClock();
  const world = await startSignInWorld({ kind, clock });
  t.teardown(() => world.close());
  const at = async (hhmm: string, how: 'fill' | 'get' = 'fill') => {
    clock.set(tomorrowAt(hhmm));
    return how === 'get' ? world.get() : world.fill();
  };
  return { clock, world, at };
}

// A day that is not a clean run: a long lunch (everything expired, the session still alive), the
// session ended early (an administrator revoking it, or a password change), then a new sign-in.
// What the user must meet: after lunch the first get refreshes; while cached material is still
// valid it keeps signing; once nothing valid is left, one line naming the command, quit=1; after
// signing in again, gets answer at once (no failure remembered from before).

test('a day with a long lunch, the session ended by an administrator, and a second aws sso login', async (t) => {
  t.timeout(120_000);
  const { clock, world, at } = await dayWorld(t, 'sso');
  clock.set(tomorrowAt('08:59'));
  world.signIn();
  t.true((await at('09:00')).answered);
  const lunch = await at('14:10');
  t.true(lunch.answered, `after lunch (token and role credentials long expired, session alive): ${lunch.problem}`);
  t.is(world.refreshes(), 1, 'one refresh after lunch');
  t.is(lunch.result.stderr, '');

  clock.set(tomorrowAt('14:30'));
  world.center!.endSessions();
  const calls = world.refreshCalls() + world.roleFetches();
  const warm = await at('14:40');
  t.true(warm.answered, `the role credentials of 14:10 still sign: ${warm.problem}`);
  t.is(world.refreshCalls() + world.roleFetches(), calls, 'warm: no call to Identity Center');

  const ended = await at('15:15', 'get'); // role credentials and token both ran out at 15:10
  t.is(ended.result.stdout, 'quit=1\n');
  t.regex(ended.result.stderr, /^cc-helper: [^\n]*aws sso login --profile day[^\n]*\n$/);
  t.is(world.refusedRefreshes().length, 1, 'one refused refresh');

  clock.set(tomorrowAt('15:20'));
  world.signIn(); // `aws sso login` again
  const again = await at('15:21');
  t.true(again.answered, `after signing in again: ${again.problem}`);
  t.is(again.result.stderr, '');
  t.deepEqual(world.refusedRefreshes().map((r) => r.error), ['InvalidGrantException'], 'and nothing else was refused');
});

test('a day with a long lunch, a password change, and a second aws login', async (t) => {
  t.timeout(120_000);
  const { clock, world, at } = await dayWorld(t, 'login');
  clock.set(tomorrowAt('08:59'));
  world.signIn();
  t.true((await at('09:00')).answered);
  t.is(world.refreshCalls(), 0);
  const lunch = await at('13:00');
  t.true(lunch.answered, `after lunch (credentials expired at 09:14, session alive): ${lunch.problem}`);
  t.is(world.refreshes(), 1);
  t.is(lunch.result.stderr, '');

  clock.set(tomorrowAt('13:05'));
  world.signin!.refuseAll('USER_CREDENTIALS_CHANGED');
  // 13:11: the credentials of 13:00 have 4 minutes left, so a refresh is due and refused: they still
  // sign (SESSIONS-DESIGN.md's one failure rule), with one line saying until when and what to run.
  const late = await at('13:11', 'get');
  t.true(late.answered, `the still-valid credentials sign: ${late.problem}`);
  t.regex(late.result.stderr, /^cc-helper: [^\n]*aws login --profile day[^\n]*\n$/, 'one line: until when, and the command');
  const ended = await at('13:16', 'get'); // nothing valid left
  t.is(ended.result.stdout, 'quit=1\n');
  t.regex(ended.result.stderr, /^cc-helper: [^\n]*aws login --profile day[^\n]*\n$/);
  t.true(world.refusedRefreshes().every((r) => r.error === 'AccessDeniedException/USER_CREDENTIALS_CHANGED'), JSON.stringify(world.refusedRefreshes()));

  clock.set(tomorrowAt('13:20'));
  world.signIn(); // `aws login` again
  const again = await at('13:21');
  t.true(again.answered, `after signing in again: ${again.problem}`);
  t.is(again.result.stderr, '');
});
