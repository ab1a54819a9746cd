// The IAM Identity Center access token an SSO profile's GetRoleCredentials presents, from the
// file `aws sso login` writes (~/.aws/sso/cache/<sha1 of the sso-session name, or of the start
// URL for a legacy profile>.json), refreshed as botocore's SSOTokenProvider refreshes it
// (botocore/tokens.py): when fewer than 15 minutes are left, with the file's refresh token,
// client id and secret, while the client registration lasts, through SSO OIDC CreateToken
// (aws-clients/sso-oidc-client.ts: grant type refresh_token, unsigned, in the sso-session's
// region), the answer written back as
// botocore's _attempt_create_token writes it. Legacy profiles (sso_start_url in the profile, no
// sso_session) are never refreshed, as in the AWS CLI. Only the cold path of an SSO get comes
// here (the role credentials in ~/.aws/cli/cache are not fresh), under the role's lock; the
// refresh takes the token's own lock inside it (several profiles share one sso-session token):
// always in that order. The discipline (lock, read again, write back, one failure rule) is
// refresh-discipline.ts's.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { writeCacheFile } from '../aws-files/cli-cache.js';
import { RefreshFailed } from '../aws-clients/refresh-outcome.js';
import { createToken as createTokenCall } from '../aws-clients/sso-oidc-client.js';
import { readBoundedText } from '../support/bounded-file.js';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { UserError } from '../support/errors.js';
import { profileOption } from '../support/shell-word.js';
import { isoSeconds, parseCacheTime } from '../support/utc-time.js';
import { refreshedUnderLock, type SignInRead } from './refresh-discipline.js';
import type { SourceContext } from './resolved.js';
import type { SsoProfile } from './sso-settings.js';
import { isCredentialText } from '../support/credential-text.js';

/** botocore's SSOTokenProvider._REFRESH_WINDOW. */
export const SSO_REFRESH_WINDOW_SECONDS = 15 * 60;
/** `aws sso login`'s token file: an access token, a refresh token and a client registration, a few KB. */
const MAX_SSO_TOKEN_FILE_BYTES = 64 * 1024;

export interface SsoToken {
  accessToken: string;
  expiresAt: Date;
  /** The file as parsed, for the refresh's keys. */
  document: Record<string, unknown>;
}

/** The token file of an SSO profile (botocore's SSOTokenLoader key). */
export function ssoTokenFile(sso: Pick<SsoProfile, 'sessionName' | 'startUrl'>, env: NodeJS.ProcessEnv): string {
  const key = createHash('sha1').update(sso.sessionName ?? sso.startUrl, 'utf8').digest('hex');
  return join(env.HOME || homedir(), '.aws', 'sso', 'cache', `${key}.json`);
}

/** The token file, read bounded and trusted (a token someone else wrote would sign as them). */
export function readSsoToken(file: string, home: string | undefined): SignInRead<SsoToken> {
  const read = readBoundedText(file, { maxBytes: MAX_SSO_TOKEN_FILE_BYTES, trusted: { home } });
  if (read.status === 'missing') return { status: 'missing' };
  if (read.status === 'refused') return { status: 'unusable', why: `not using the SSO login in ${file}, which ${read.reason}` };
  let document: unknown;
  try {
    document = JSON.parse(read.text);
  } catch {
    document = undefined;
  }
  const d = document as Record<string, unknown> | null | undefined;
  const expiresAt = typeof d?.expiresAt === 'string' ? parseCacheTime(d.expiresAt) : undefined;
  if (!d || typeof d !== 'object' || !isCredentialText(d.accessToken) || !expiresAt) {
    return { status: 'unusable', why: `the SSO login in ${file} is unreadable` };
  }
  return { status: 'read', text: read.text, value: { accessToken: d.accessToken, expiresAt, document: d } };
}

/**
 * Why botocore would not refresh this token (SSOTokenProvider._refresh_access_token), or
 * undefined: the four keys present (and holding what such values hold), the registration live.
 */
export function whyNotRefreshable(token: SsoToken, now: Date): string | undefined {
  const d = token.document;
  const missing = ['refreshToken', 'clientId', 'clientSecret', 'registrationExpiresAt'].filter((k) => !(k in d));
  if (missing.length) return `it holds no ${missing.join(', ')} (written by an AWS CLI without refresh)`;
  if (![d.refreshToken, d.clientId, d.clientSecret].every(isCredentialText)) return 'its refresh token or client registration is unreadable';
  const registration = typeof d.registrationExpiresAt === 'string' ? parseCacheTime(d.registrationExpiresAt) : undefined;
  if (!registration) return 'its registrationExpiresAt is unreadable';
  if (registration.getTime() <= now.getTime()) return `its client registration expired at ${isoSeconds(registration)}`;
  return undefined;
}

/**
 * The access token to present now: refreshed first when due and possible. `fellBack`: a refresh
 * failed and this token still serves; the caller says so once the portal took it.
 */
export async function ssoAccessToken(sso: SsoProfile, context: SourceContext): Promise<{ token: string; fellBack?: { reason: string; warning: string } }> {
  const { env, trace } = context;
  const file = ssoTokenFile(sso, env);
  const command = `aws sso login ${profileOption(sso.name)}`;
  const signInAgain = (why: string) => loginNeeded(sso.name, why);
  const seen = readSsoToken(file, env.HOME);
  if (seen.status === 'missing') throw signInAgain('there is no SSO login');
  if (seen.status === 'unusable') throw signInAgain(seen.why);
  const now = new Date();
  const left = seen.value.expiresAt.getTime() - now.getTime();
  if (left >= SSO_REFRESH_WINDOW_SECONDS * 1000) return { token: seen.value.accessToken };
  if (!sso.sessionName) {
    // A legacy profile: the CLI does not refresh it either.
    if (left > 0) return { token: seen.value.accessToken };
    throw signInAgain(`the SSO login expired at ${isoSeconds(seen.value.expiresAt)}; a profile without sso_session cannot refresh it: \`aws configure sso\` makes one that can`);
  }
  const refreshed = await refreshedUnderLock<SsoToken>(
    {
      who: `profile "${sso.name}"`,
      what: 'the SSO login',
      command,
      missing: 'there is no SSO login',
      signInAgain,
      lockPath: ssoTokenLockPath(file, env),
      read: () => readSsoToken(file, env.HOME),
      expiresAt: (t) => t.expiresAt,
      windowSeconds: SSO_REFRESH_WINDOW_SECONDS,
      notRefreshable: whyNotRefreshable,
      refresh: (t) => createToken(sso, t, context),
      write: (t) => writeCacheFile(file, dirname(file), t.document),
      trace,
      now: () => new Date(),
    },
    seen,
  );
  return { token: refreshed.value.accessToken, ...(refreshed.fellBack ? { fellBack: refreshed.fellBack } : {}) };
}

/** One lock per token file: its name is the file's (the sha1 of the sso-session name). */
export function ssoTokenLockPath(tokenFile: string, env: NodeJS.ProcessEnv): string {
  return join(ccHelperConfigDir(env), 'locks', `sso-token-${basename(tokenFile, '.json')}.lock`);
}

export function loginNeeded(profile: string, why: string): UserError {
  return new UserError(`profile "${profile}" needs an SSO login: run \`aws sso login ${profileOption(profile)}\` and try again (${why})`);
}

/** CreateToken with the refresh token, and botocore's new token dict (not yet written). */
async function createToken(sso: SsoProfile, token: SsoToken, context: SourceContext): Promise<SsoToken> {
  const d = token.document as Record<string, string>;
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(sso.ssoRegion)) throw new RefreshFailed(`"${sso.ssoRegion.slice(0, 40)}" is not an AWS region name: fix sso_region of sso-session "${sso.sessionName}"`);
  const { accessToken, expiresIn, refreshToken } = await createTokenCall({
    profile: sso.name,
    sessionName: sso.sessionName,
    region: sso.ssoRegion,
    clientId: d.clientId!,
    clientSecret: d.clientSecret!,
    refreshToken: d.refreshToken!,
    env: context.env,
    trace: context.trace,
  });
  const { trace } = context;
  // botocore's _attempt_create_token, key for key: the registration is kept, the rest is new.
  const expiresAt = new Date(Date.now() + expiresIn * 1000);
  const document: Record<string, unknown> = {
    startUrl: sso.startUrl,
    region: sso.ssoRegion,
    accessToken,
    expiresAt: isoSeconds(expiresAt),
    clientId: d.clientId,
    clientSecret: d.clientSecret,
    registrationExpiresAt: d.registrationExpiresAt,
  };
  if (refreshToken !== undefined) document.refreshToken = refreshToken;
  trace(`profile "${sso.name}": SSO token refreshed, valid until ${isoSeconds(expiresAt)}${refreshToken !== undefined ? ', refresh token rotated' : ''}`);
  return { accessToken, expiresAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000), document };
}
