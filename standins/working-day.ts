// Issue 20's working day, as a user lives it: sign in at 08:59 (`aws sso login` or `aws login`),
// then a git operation every 20 minutes from 09:00 to 17:00 (25 of them), each a real process at
// its simulated time: the first a `git clone` and the even hours a `git push` through the
// CodeCommit stand-in, the rest `git credential fill` as git runs it before a fetch. Once the
// sign-in session has ended (Identity Center: 8 h, so 16:59; `aws login`: 12 h, so 20:59), one
// more get shows what the user then reads. Used by test/working-day.test.ts (which asserts the
// figures) and scripts/working-day.ts (which prints them for any build of cc-helper).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { clockTime, simulatedClock, tomorrowAt } from './simulated-clock.js';
import { AWS_CLI, startSignInWorld, type GetOutcome, type SignInKind } from './sign-in-world.js';

export interface DayRow {
  at: string;
  how: GetOutcome['how'];
  answered: boolean;
  /** During the sign-in session (else: after it ended). */
  inSession: boolean;
  /** Successful refreshes so far. */
  refreshes: number;
  accessKeyId?: string;
  problem?: string;
  /** What the process wrote on stderr (git's and the helper's lines). */
  stderr: string;
}

export interface DayReport {
  kind: SignInKind;
  helperBin: string;
  signInAt: string;
  sessionEndsAt: string;
  /** The 25 gets of the working day (09:00-17:00). */
  gets: number;
  answered: number;
  /** Gets (of all, the day's and the one after) made while the session lasted, and how many of those answered. */
  inSession: { gets: number; answered: number };
  refreshes: number;
  /** Every refresh request, whatever its answer. */
  refreshCalls: number;
  refreshTimes: string[];
  refusedRefreshes: { at: string; error: string }[];
  /** SSO: GetRoleCredentials calls; a role on an aws login profile: AssumeRole calls (each a new one-hour role session). */
  roleFetches: number;
  firstFailure?: { at: string; problem: string };
  /** The get after the session ended, as the helper answered it. */
  afterSession: { at: string; stdout: string; stderr: string; code: number | null };
  rows: DayRow[];
  /** Secrets the user's files and the stand-ins hold; none may appear in any output. */
  secrets: string[];
  /** Every stderr line of the day (secrets are looked for in these). */
  stderr: string[];
  /** What ~/.aws holds at the end of the day: path (relative to HOME) -> mode, e.g. `0600`. */
  awsFiles: Record<string, string>;
  /** The token / login cache file, relative to HOME. */
  tokenFile: string;
  wallSeconds: number;
}

const SESSION_HOURS: Record<SignInKind, number> = { sso: 8, login: 12 };
const GIT_PUSH_HOURS = new Set(['10:00', '12:00', '14:00', '16:00']);

export async function runWorkingDay(
  kind: SignInKind,
  options: { helperBin?: string; git?: boolean; awsCli?: boolean; legacySso?: boolean; roleOnLogin?: boolean } = {},
): Promise<DayReport> {
  const started = Date.now();
  const git = options.git ?? true;
  const clock = simulatedClock();
  const world = await startSignInWorld({
    kind,
    clock,
    git,
    awsCli: options.awsCli ?? false,
    legacySso: options.legacySso ?? false,
    roleOnLogin: options.roleOnLogin ?? false,
    ...(options.helperBin ? { helperBin: options.helperBin } : {}),
  });
  try {
    const signInAt = tomorrowAt('08:59');
    clock.set(signInAt);
    world.signIn();
    const secrets = new Set<string>();
    const noteSecrets = () => {
      for (const secret of cacheSecrets(world.tokenFile)) secrets.add(secret);
      for (const key of world.issued()) for (const secret of [key.secretAccessKey, key.sessionToken]) secrets.add(secret);
    };
    noteSecrets();
    const sessionEnds = new Date(signInAt.getTime() + SESSION_HOURS[kind] * 3600_000);
    const times = Array.from({ length: 25 }, (_, i) => new Date(tomorrowAt('09:00').getTime() + i * 20 * 60_000));
    const after = times.at(-1)! > sessionEnds ? undefined : new Date(sessionEnds.getTime() + 60_000);
    const rows: DayRow[] = [];
    const stderr: string[] = [];
    let afterSession: DayReport['afterSession'] | undefined;
    for (const [i, at] of [...times, ...(after ? [after] : [])].entries()) {
      clock.set(at);
      const inSession = at < sessionEnds;
      const last = !inSession;
      const how: GetOutcome['how'] = last ? 'get' : git && i === 0 ? 'clone' : git && GIT_PUSH_HOURS.has(clockTime(at)) ? 'push' : 'fill';
      const outcome = how === 'clone' ? await world.clone() : how === 'push' ? await world.push() : how === 'get' ? await world.get() : await world.fill();
      noteSecrets();
      stderr.push(...outcome.result.stderr.split('\n').filter((l) => l !== ''));
      rows.push({
        at: clockTime(at),
        how,
        answered: outcome.answered,
        inSession,
        refreshes: world.refreshes(),
        stderr: outcome.result.stderr,
        ...(outcome.accessKeyId ? { accessKeyId: outcome.accessKeyId } : {}),
        ...(outcome.problem ? { problem: outcome.problem } : {}),
      });
      if (last) afterSession = { at: clockTime(at), stdout: outcome.result.stdout, stderr: outcome.result.stderr, code: outcome.result.code };
    }
    const dayRows = rows.slice(0, 25);
    const sessionRows = rows.filter((r) => r.inSession);
    const failure = rows.find((r) => r.inSession && !r.answered);
    return {
      kind,
      helperBin: options.awsCli ? `${AWS_CLI} codecommit credential-helper` : options.helperBin ?? 'this build',
      signInAt: clockTime(signInAt),
      sessionEndsAt: clockTime(sessionEnds),
      gets: dayRows.length,
      answered: dayRows.filter((r) => r.answered).length,
      inSession: { gets: sessionRows.length, answered: sessionRows.filter((r) => r.answered).length },
      refreshes: world.refreshes(),
      refreshCalls: world.refreshCalls(),
      refreshTimes: world.refreshTimes().map(clockTime),
      refusedRefreshes: world.refusedRefreshes().map((r) => ({ at: clockTime(r.at), error: r.error })),
      roleFetches: world.roleFetches(),
      ...(failure ? { firstFailure: { at: failure.at, problem: failure.problem ?? '' } } : {}),
      afterSession: afterSession!,
      rows,
      secrets: [...secrets].filter((secret) => secret.length >= 16),
      awsFiles: filesUnder(world.home, join(world.home, '.aws')),
      tokenFile: relative(world.home, world.tokenFile),
      stderr,
      wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await world.close();
  }
}

function filesUnder(home: string, dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(found, filesUnder(home, path));
    else found[relative(home, path)] = (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
  }
  return found;
}

/** The secret values of a token / login cache file: access and refresh tokens, the client secret, the DPoP key, the keys. */
export function cacheSecrets(file: string): string[] {
  if (!existsSync(file)) return [];
  let token: Record<string, unknown>;
  try {
    token = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return [];
  }
  const access = token.accessToken;
  const values = [token.refreshToken, token.clientSecret, typeof access === 'string' ? access : undefined];
  if (access && typeof access === 'object') {
    const a = access as Record<string, unknown>;
    values.push(a.secretAccessKey, a.sessionToken);
  }
  // The DPoP key's base64 body, line by line (a leak would more likely carry a line than the PEM).
  if (typeof token.dpopKey === 'string') values.push(...token.dpopKey.split('\n').filter((l) => !l.startsWith('-----')));
  return values.filter((v): v is string => typeof v === 'string');
}

/** The day as a table, for t.log and the script. */
export function formatDay(r: DayReport): string {
  const title = r.kind === 'sso' ? 'IAM Identity Center (aws sso login)' : 'aws login';
  const lines = [
    `${title}: signed in at ${r.signInAt}, session ends ${r.sessionEndsAt}; helper: ${r.helperBin}`,
    ...r.rows.map(
      (row) =>
        `  ${row.at}  ${row.how.padEnd(5)}  ${row.answered ? 'answered' : 'FAILED  '}  refreshes ${String(row.refreshes).padStart(2)}` +
        `${row.inSession ? '' : '  (after the session)'}${row.problem ? `  ${row.problem.slice(0, 160)}` : ''}`,
    ),
    `  day: answered ${r.answered} of ${r.gets}; while the session lasted: ${r.inSession.answered} of ${r.inSession.gets}`,
    `  refreshes: ${r.refreshes}${r.refreshTimes.length ? ` (at ${r.refreshTimes.join(' ')})` : ''}; refused refresh requests: ${r.refusedRefreshes.length}` +
      `${r.refusedRefreshes.length ? ` (${r.refusedRefreshes.map((x) => `${x.at} ${x.error}`).join(', ')})` : ''}` +
      (r.kind === 'sso' ? `; GetRoleCredentials: ${r.roleFetches}` : r.roleFetches ? `; AssumeRole: ${r.roleFetches}` : ''),
    `  after the session (${r.afterSession.at}): exit ${r.afterSession.code}, stdout ${JSON.stringify(r.afterSession.stdout)}, stderr ${JSON.stringify(r.afterSession.stderr.trim())}`,
    `  wall time ${r.wallSeconds} s`,
  ];
  return lines.join('\n');
}
