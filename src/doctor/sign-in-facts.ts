// What doctor can tell about a sign-in from the files alone (no network): an SSO profile's
// Identity Center token (~/.aws/sso/cache) and the role credentials cached from it, or an
// `aws login` profile's cached credentials, for the profile itself or the profile a role takes
// its source credentials from. A missing or ended sign-in that nothing can refresh is an error
// with the command to run; a refreshable one says until when the current material lasts and
// that cc-helper refreshes it. How long the sign-in session itself lasts is the service's to
// know, not the client's: doctor says so, with the default (Identity Center 8 h, aws login 12 h),
// unless the last get's refresh failed (refresh-discipline.ts records it by the lock, until the
// next success or a new sign-in): that is what the next push meets, and doctor says it.
import { isFresh, readCacheFile } from '../aws-files/cli-cache.js';
import { dpopKey } from '../aws-clients/dpop-proof.js';
import { loginLockPath } from '../credential-sources/login-refresh.js';
import { lastRefreshFailure } from '../credential-sources/refresh-discipline.js';
import { readSsoToken, SSO_REFRESH_WINDOW_SECONDS, ssoTokenFile, ssoTokenLockPath, whyNotRefreshable } from '../credential-sources/sso-token.js';
import { UserError } from '../support/errors.js';
import { profileOption } from '../support/shell-word.js';
import { isoSeconds } from '../support/utc-time.js';
import { finding, type Finding, type SignInFact } from './report.js';
import { readProfile } from '../aws-files/profile.js';
import { sessionKind } from '../aws-files/profile-kind.js';
import { ssoCacheClaim, ssoProfile } from '../credential-sources/sso-settings.js';
import { LOGIN_REFRESH_WINDOW_SECONDS, loginProfile, readLoginCache } from '../credential-sources/login-cache.js';

export function signInFacts(name: string, env: NodeJS.ProcessEnv, now: Date): { signIn: SignInFact; findings: Finding[] } | undefined {
  let profile = name;
  let values = readProfile(name, env).values;
  let kind = sessionKind(readProfile(name, env));
  // A role's source credentials may come from a sign-in (one hop: what a push meets first).
  if (kind === 'role' && values.source_profile && values.source_profile !== name) {
    profile = values.source_profile;
    const source = readProfile(profile, env);
    values = source.values;
    kind = 'role_arn' in values && !('aws_access_key_id' in values) ? 'role' : sessionKind(source);
  }
  if (kind !== 'sso' && kind !== 'login') return undefined;
  try {
    return kind === 'sso' ? ssoFacts(profile, values, env, now) : loginFacts(profile, values, env, now);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return {
      signIn: { kind, profile, file: null, state: 'unusable', expiresAt: null, refreshable: false, command: command(kind, profile) },
      findings: [finding('error', 'sign-in-unusable', error.message, null)],
    };
  }
}

function command(kind: 'sso' | 'login', profile: string): string {
  return kind === 'sso' ? `aws sso login ${profileOption(profile)}` : `aws login ${profileOption(profile)}`;
}

/**
 * The last get's refresh of this sign-in failed (and nothing changed the file since): what a push
 * would meet now. Ended material makes it an error; material that still serves, a warning.
 */
function failedRefresh(signIn: SignInFact, code: string, what: string, failed: { at: Date; reason: string }, left: number): { signIn: SignInFact; findings: Finding[] } {
  const why = `the last refresh of ${what}, at ${isoSeconds(failed.at)}, failed (${failed.reason})`;
  if (left > 0) {
    return { signIn, findings: [finding('warning', code, `profile "${signIn.profile}": ${why}; what it holds serves until ${signIn.expiresAt}, then pushes need a new sign-in`, signIn.command)] };
  }
  return { signIn: { ...signIn, state: 'ended' }, findings: [finding('error', code, `profile "${signIn.profile}": ${why}, and ${what} expired at ${signIn.expiresAt}: pushes need a new sign-in`, signIn.command)] };
}

function minutes(until: Date, now: Date): number {
  return Math.floor((until.getTime() - now.getTime()) / 60_000);
}

function ssoFacts(name: string, values: Record<string, string>, env: NodeJS.ProcessEnv, now: Date): { signIn: SignInFact; findings: Finding[] } {
  const sso = ssoProfile(name, values, env);
  const file = ssoTokenFile(sso, env);
  const fix = command('sso', name);
  const base = { kind: 'sso' as const, profile: name, file, command: fix };
  // Role credentials fetched with the token serve without it until they expire.
  const cached = readCacheFile(sso.cacheFile, env.HOME);
  const claim = cached ? ssoCacheClaim(sso)(cached.document, sso.cacheFile) : undefined;
  const roleUntil = cached && claim && 'account' in claim && isFresh(cached.credentials.expiration, now) ? cached.credentials.expiration : undefined;
  const roleNote = roleUntil ? `; the role credentials cached from it serve pushes until ${isoSeconds(roleUntil)}` : '';
  const ended = (state: SignInFact['state'], why: string): { signIn: SignInFact; findings: Finding[] } => ({
    signIn: { ...base, state, expiresAt: null, refreshable: false },
    findings: [
      roleUntil
        ? finding('warning', 'sso-login-needed', `profile "${name}": ${why}${roleNote}, then pushes need a new SSO login`, fix)
        : finding('error', 'sso-login-needed', `profile "${name}": ${why}: pushes need a new SSO login`, fix),
    ],
  });
  const read = readSsoToken(file, env.HOME);
  if (read.status === 'missing') return ended('missing', `there is no SSO login (no token in ${file})`);
  if (read.status === 'unusable') return ended('unusable', read.why);
  const token = read.value;
  const expiresAt = isoSeconds(token.expiresAt);
  const left = token.expiresAt.getTime() - now.getTime();
  const legacy = !sso.sessionName;
  const why = legacy ? 'the profile has no sso_session (a legacy SSO profile, which the AWS CLI does not refresh either)' : whyNotRefreshable(token, now);
  const session = 'while the Identity Center session lasts (8 h from `aws sso login` by default; its end is not knowable here: `doctor --online` tries a push\'s path)';
  if (why) {
    if (left <= 0) return { ...ended('ended', `the SSO login expired at ${expiresAt} and cannot be refreshed: ${why}`), signIn: { ...base, state: 'ended', expiresAt, refreshable: false } };
    return {
      signIn: { ...base, state: 'valid', expiresAt, refreshable: false },
      findings: [finding('info', 'sso-login-valid', `profile "${name}": the SSO login is valid until ${expiresAt} (${minutes(token.expiresAt, now)} min left) and cannot be refreshed (${why})${roleNote}`, `${fix} when it ends`)],
    };
  }
  const state = left >= SSO_REFRESH_WINDOW_SECONDS * 1000 ? 'valid' : 'refreshes';
  const failed = state === 'refreshes' ? lastRefreshFailure(ssoTokenLockPath(file, env), read.text) : undefined;
  if (failed) return failedRefresh({ ...base, state, expiresAt, refreshable: true }, 'sso-login-needed', 'the SSO login', failed, left);
  const lasts = left > 0 ? `the SSO access token is valid until ${expiresAt} (${minutes(token.expiresAt, now)} min left)` : `the SSO access token expired at ${expiresAt}`;
  return {
    signIn: { ...base, state, expiresAt, refreshable: true },
    findings: [finding('info', 'sso-login-refreshes', `profile "${name}": ${lasts}; cc-helper refreshes it when fewer than 15 minutes are left, ${session}${roleNote}`, null)],
  };
}

function loginFacts(name: string, values: Record<string, string>, env: NodeJS.ProcessEnv, now: Date): { signIn: SignInFact; findings: Finding[] } {
  const login = loginProfile(name, values, env);
  const fix = command('login', name);
  const base = { kind: 'login' as const, profile: name, file: login.cacheFile, command: fix };
  const needed = (state: SignInFact['state'], why: string, expiresAt: string | null = null) => ({
    signIn: { ...base, state, expiresAt, refreshable: false },
    findings: [finding('error', 'login-needed', `profile "${name}": ${why}: pushes need a new \`aws login\``, fix)],
  });
  const read = readLoginCache(login, env.HOME);
  if (read.status === 'missing') return needed('missing', `there is no aws login session for ${login.session} (no ${login.cacheFile})`);
  if (read.status === 'unusable') return needed('unusable', read.why);
  const { expiration } = read.value.credentials;
  const expiresAt = isoSeconds(expiration);
  const left = expiration.getTime() - now.getTime();
  let why: string | undefined;
  try {
    dpopKey(read.value.document.dpopKey as string);
  } catch (error) {
    why = (error as Error).message;
  }
  if (why) {
    if (left <= 0) return needed('ended', `the credentials of \`aws login\` expired at ${expiresAt} and cannot be refreshed: ${why}`, expiresAt);
    return {
      signIn: { ...base, state: 'valid', expiresAt, refreshable: false },
      findings: [finding('warning', 'login-not-refreshable', `profile "${name}": the credentials of \`aws login\` are valid until ${expiresAt} (${minutes(expiration, now)} min left) and cannot be refreshed (${why})`, fix)],
    };
  }
  const refreshes = left <= LOGIN_REFRESH_WINDOW_SECONDS * 1000;
  const failed = refreshes ? lastRefreshFailure(loginLockPath(login, env), read.text) : undefined;
  if (failed) return failedRefresh({ ...base, state: 'refreshes', expiresAt, refreshable: true }, 'login-needed', 'the credentials of `aws login`', failed, left);
  const lasts = left > 0 ? `the credentials of \`aws login\` are valid until ${expiresAt} (${minutes(expiration, now)} min left)` : `the credentials of \`aws login\` expired at ${expiresAt}`;
  return {
    signIn: { ...base, state: refreshes ? 'refreshes' : 'valid', expiresAt, refreshable: true },
    findings: [
      finding(
        'info',
        'login-refreshes',
        `profile "${name}": ${lasts}; cc-helper refreshes them when fewer than 5 minutes are left, while the sign-in session lasts (12 h from \`aws login\` by default; its end is not knowable here: \`doctor --online\` tries a push's path)`,
        null,
      ),
    ],
  };
}
