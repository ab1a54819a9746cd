// The files `aws sso login` and `aws login` leave behind, written as the AWS CLI writes them:
// botocore's JSONFileCache (awscli/botocore/utils.py) opens the file O_WRONLY|O_CREAT with mode
// 0600, truncates it and writes `json.dumps(token)` (Python's default separators `, ` and `: `,
// ASCII-only escapes, no newline at the end); the folder is made by os.makedirs (0777 less the
// umask). Key order is the CLI's: SSOTokenFetcher._create_token_attempt for the SSO token
// (the stand-in's SsoTokenFile keeps it), BaseLoginTokenFetcher._exchange_auth_code_for_access_token
// for `aws login` (the stand-in's LoginTokenFile keeps it). test/session-cli-interop.test.ts
// checks this writer byte for byte against botocore's own. Not shipped; does not import src/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ssoTokenCacheName, type SsoTokenFile } from './identity-center-standin.js';
import { loginCacheName, type LoginTokenFile } from './signin-standin.js';

/** Python's `json.dumps(value)` for what these files hold: objects, arrays, strings, numbers, booleans, null. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`)
      .join(', ')}}`;
  }
  throw new Error(`pythonJsonDumps: cannot serialise a ${typeof value}`);
}

export function ssoTokenPath(home: string, sessionName: string): string {
  return join(home, '.aws', 'sso', 'cache', ssoTokenCacheName(sessionName));
}

/** `aws sso login --sso-session NAME` (or a profile naming it): ~/.aws/sso/cache/<sha1 of NAME>.json. */
export function writeSsoTokenAsCli(home: string, sessionName: string, token: SsoTokenFile): string {
  return writeAsCli(ssoTokenPath(home, sessionName), token);
}

/** Where `aws login` caches: $AWS_LOGIN_CACHE_DIRECTORY, else ~/.aws/login/cache (botocore's get_login_token_cache_directory). */
export function loginCacheDir(home: string, env: { AWS_LOGIN_CACHE_DIRECTORY?: string } = {}): string {
  return env.AWS_LOGIN_CACHE_DIRECTORY ?? join(home, '.aws', 'login', 'cache');
}

export function loginTokenPath(dir: string, loginSession: string): string {
  return join(dir, loginCacheName(loginSession));
}

/** `aws login`: <cache dir>/<sha256 of the login_session ARN>.json. */
export function writeLoginTokenAsCli(dir: string, loginSession: string, token: LoginTokenFile): string {
  return writeAsCli(loginTokenPath(dir, loginSession), token);
}

export function readJsonFile<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function writeAsCli(path: string, token: object): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, pythonJsonDumps(token), { mode: 0o600 });
  return path;
}
