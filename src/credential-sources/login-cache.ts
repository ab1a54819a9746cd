// An `aws login` profile (`login_session = <ARN>`, AWS CLI 2.32+) and the file the CLI caches its
// credentials in, read as botocore's LoginProvider reads them: $AWS_LOGIN_CACHE_DIRECTORY (or
// ~/.aws/login/cache), `<sha256 hex of the login_session value>.json`, hashed with cc-helper's
// own SHA-256 (no node:crypto on the warm path). Shared by the warm path (login-profile.ts), the
// refresh (login-refresh.ts) and doctor.
//
// A cache file holds what its name claims when its accountId is the account of the
// login_session ARN (what the CLI writes: it takes the account from that ARN); that account is
// then the proof the account pin is checked against. A file holding another account's
// credentials is not used at all.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { accountOfArn, type AccountEvidence } from '../account/account-evidence.js';
import type { SigningCredentials } from '../codecommit/password.js';
import { sha256 } from '../crypto/sha256.js';
import { readBoundedText } from '../support/bounded-file.js';
import { UserError } from '../support/errors.js';
import { profileOption } from '../support/shell-word.js';
import { parseCacheTime } from '../support/utc-time.js';
import type { SignInRead } from './refresh-discipline.js';
import { looksLikeCredentials } from '../support/credential-text.js';

/** Both SDKs refresh when fewer than 5 minutes are left (LoginCredentialFetcher._REFRESH_THRESHOLD). */
export const LOGIN_REFRESH_WINDOW_SECONDS = 5 * 60;
/** `aws login`'s file: credentials, a refresh token, an id token and a DPoP key: a few KB. */
const MAX_LOGIN_FILE_BYTES = 64 * 1024;

export interface LoginProfile {
  name: string;
  /** The profile's login_session: the ARN that signed in. */
  session: string;
  /** The account of that ARN, when it is an IAM/STS ARN. */
  account?: string;
  /** The profile's region (the sign-in service's region, after AWS_REGION). */
  region?: string;
  cacheDir: string;
  cacheFile: string;
}

export interface LoginToken {
  credentials: SigningCredentials & { sessionToken: string; expiration: Date };
  accountId: string;
  /** The file as parsed: a refresh keeps every key it does not replace. */
  document: Record<string, unknown>;
}

export function loginProfile(name: string, values: Record<string, string>, env: NodeJS.ProcessEnv): LoginProfile {
  const session = values.login_session!;
  const cacheDir = loginCacheDir(env);
  const key = Buffer.from(sha256(session)).toString('hex');
  const account = accountOfArn(session);
  return {
    name,
    session,
    ...(account ? { account } : {}),
    ...(values.region ? { region: values.region } : {}),
    cacheDir,
    cacheFile: join(cacheDir, `${key}.json`),
  };
}

/** botocore's get_login_token_cache_directory: the variable with ~ and $VARS expanded, else ~/.aws/login/cache. */
export function loginCacheDir(env: NodeJS.ProcessEnv): string {
  const home = () => env.HOME || homedir();
  const configured = env.AWS_LOGIN_CACHE_DIRECTORY;
  if (configured === undefined) return join(home(), '.aws', 'login', 'cache');
  // os.path.expandvars, then expanduser: an unset variable stays as written.
  const expanded = configured.replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => env[name.replace(/^\{|\}$/g, '')] ?? whole);
  return expanded === '~' || expanded.startsWith('~/') ? home() + expanded.slice(1) : expanded;
}

/** The cache file, read bounded and trusted (credentials someone else wrote would sign as them). */
export function readLoginCache(login: LoginProfile, home: string | undefined): SignInRead<LoginToken> {
  const file = login.cacheFile;
  const read = readBoundedText(file, { maxBytes: MAX_LOGIN_FILE_BYTES, trusted: { home } });
  if (read.status === 'missing') return { status: 'missing' };
  if (read.status === 'refused') return { status: 'unusable', why: `not using the aws login cache ${file}, which ${read.reason}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text);
  } catch {
    parsed = undefined;
  }
  const unreadable = (what: string) => ({ status: 'unusable' as const, why: `the aws login cache ${file} ${what}` });
  const document = parsed as Record<string, unknown> | null | undefined;
  if (!document || typeof document !== 'object') return unreadable('is unreadable');
  // Both SDKs refuse a file without these, even while its credentials last.
  const missing = ['accessToken', 'clientId', 'refreshToken', 'dpopKey'].filter((k) => !document[k]);
  if (missing.length) return unreadable(`has no ${missing.join(', ')}`);
  const { accessKeyId, secretAccessKey, sessionToken, accountId, expiresAt } = document.accessToken as Record<string, unknown>;
  if (!looksLikeCredentials(accessKeyId, secretAccessKey, sessionToken)) {
    return unreadable('holds no readable credentials');
  }
  if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) return unreadable('names no account (accessToken.accountId)');
  const expiration = typeof expiresAt === 'string' ? parseCacheTime(expiresAt) : undefined;
  if (!expiration) return unreadable('has no readable accessToken.expiresAt');
  if (login.account !== undefined && accountId !== login.account) {
    return unreadable(`holds credentials of account ${accountId}, not of ${login.account}, the account of login_session ${login.session}`);
  }
  return {
    status: 'read',
    text: read.text,
    value: { credentials: { accessKeyId: accessKeyId as string, secretAccessKey: secretAccessKey as string, sessionToken: sessionToken as string, expiration }, accountId, document },
  };
}

/** The account these credentials are proven to belong to (see the module comment). */
export function loginAccount(login: LoginProfile, token: LoginToken, how: string): AccountEvidence | undefined {
  return login.account === token.accountId ? { id: token.accountId, from: `${how} (credentials of login_session ${login.session})` } : undefined;
}

export function loginNeeded(profile: string, why: string): UserError {
  return new UserError(`profile "${profile}" needs an \`aws login\`: run \`aws login ${profileOption(profile)}\` and try again (${why})`);
}

