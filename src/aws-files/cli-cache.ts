// The AWS CLI's credential cache, ~/.aws/cli/cache/<key>.json, read and written exactly as the
// CLI does (botocore's CachedCredentialFetcher and JSONFileCache), so a session either tool
// started serves both: one AssumeRole and one MFA code for the CLI and git together.
//
// Keys (botocore/credentials.py):
// - AssumeRole: sha1 of json.dumps(assume_role_kwargs, sort_keys=True) without a generated
//   RoleSessionName (Python's default separators `, ` and `: `, ASCII-only escapes);
// - SSO: sha1 of json.dumps({roleName, accountId, sessionName | startUrl}, sort_keys=True,
//   separators=(',', ':')).
// A file is the STS-shaped answer: {"Credentials": {"AccessKeyId", "SecretAccessKey",
// "SessionToken", "Expiration", …}, …}. botocore refreshes within 15 minutes of expiry.
//
// A file's name claims what it is for (a role, or an SSO account and role): its contents must
// agree (CacheClaim, checked by the role and SSO paths), or the file is not used at all and the
// credentials are fetched again, as for a missing file. What the AWS CLI writes always agrees:
// an AssumeRole answer carries AssumedRoleUser.Arn (and botocore >= 1.35 adds
// Credentials.AccountId), an SSO one carries the account it was asked for (or, from CLI v2.9, no
// AccountId at all).
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readBoundedText } from '../support/bounded-file.js';
import { writePrivateFileSync } from '../support/private-file.js';
import { isoSeconds, parseCacheTime } from '../support/utc-time.js';
import { warning } from '../support/warning.js';
import type { SigningCredentials } from '../codecommit/password.js';
import { isCredentialText } from '../support/credential-text.js';

export { parseCacheTime };

/** botocore's CachedCredentialFetcher.DEFAULT_EXPIRY_WINDOW_SECONDS. */
export const CLI_EXPIRY_WINDOW_SECONDS = 15 * 60;

export type CacheArgs = Record<string, string | number>;

export function cliCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.HOME || homedir(), '.aws', 'cli', 'cache');
}

/** AssumeRoleCredentialFetcher._create_cache_key: the AssumeRole arguments without TokenCode. */
export function assumeRoleCacheKey(args: CacheArgs): string {
  return sha1(pythonJsonDumps(args, ', ', ': '));
}

/** SSOCredentialFetcher._create_cache_key. */
export function ssoRoleCacheKey(roleName: string, accountId: string, session: { sessionName: string } | { startUrl: string }): string {
  const args: CacheArgs = { roleName, accountId, ...session };
  return sha1(pythonJsonDumps(args, ',', ':'));
}

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** `json.dumps(flat_dict, sort_keys=True, separators=…)` for string and integer values, byte for byte. */
export function pythonJsonDumps(args: CacheArgs, itemSeparator: string, keySeparator: string): string {
  const keys = Object.keys(args).sort(comparePython);
  return `{${keys.map((k) => `${pythonString(k)}${keySeparator}${pythonValue(args[k]!)}`).join(itemSeparator)}}`;
}

/** Python compares str by code point; JS's default sort compares UTF-16 units. */
function comparePython(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function pythonValue(value: string | number): string {
  return typeof value === 'number' ? String(value) : pythonString(value);
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** ensure_ascii=True: everything outside printable ASCII as \uXXXX (UTF-16 units, as Python). */
function pythonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const unit = text.charCodeAt(i);
    if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else if (unit < 0x20 || unit > 0x7e) out += `\\u${unit.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

export interface CachedCredentials {
  credentials: SigningCredentials & { sessionToken: string; expiration: Date };
  /** The file's text, to tell later whether another process replaced it. */
  text: string;
  /** The parsed file, for the claim check. */
  document: Record<string, unknown>;
}

/** A cache file is a few KB (four values of at most 16 KB, see isCredentialText). */
const MAX_CACHE_FILE_BYTES = 96 * 1024;

/**
 * The credentials in a cache file, or undefined when it is missing, damaged or not shaped like
 * the CLI's (then it is simply replaced on the next fetch, as the CLI does). A file that someone
 * other than this user (or root) could have written, or that is no small regular file, is not
 * used either: one warning says why (src/support/bounded-file.ts). `home`: the user's $HOME.
 */
export function readCacheFile(file: string, home: string | undefined): CachedCredentials | undefined {
  const read = readBoundedText(file, { maxBytes: MAX_CACHE_FILE_BYTES, trusted: { home } });
  if (read.status === 'missing') return undefined;
  if (read.status === 'refused') {
    warning(`ignoring the cached credentials in ${file}, which ${read.reason}: getting new ones instead`);
    return undefined;
  }
  const { text } = read;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const c = (parsed as { Credentials?: Record<string, unknown> } | null)?.Credentials;
  if (!c || typeof c !== 'object') return undefined;
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = c;
  if (![AccessKeyId, SecretAccessKey, SessionToken, Expiration].every(isCredentialText)) return undefined;
  const expiration = parseCacheTime(Expiration as string);
  if (!expiration) return undefined;
  return {
    credentials: { accessKeyId: AccessKeyId as string, secretAccessKey: SecretAccessKey as string, sessionToken: SessionToken as string, expiration },
    text,
    document: parsed as Record<string, unknown>,
  };
}

/** Whether cached credentials are still outside the CLI's refresh window. */
export function isFresh(expiration: Date, now: Date, windowSeconds = CLI_EXPIRY_WINDOW_SECONDS): boolean {
  return expiration.getTime() - now.getTime() >= windowSeconds * 1000;
}

/** JSONFileCache's datetime form: `%Y-%m-%dT%H:%M:%S%Z` of a UTC datetime. */
export function formatCacheTime(date: Date): string {
  return isoSeconds(date).replace(/Z$/, 'UTC');
}

/** Writes `value` as the CLI does (json.dumps defaults), 0600, via a temp file and rename. */
export function writeCacheFile(file: string, dir: string, value: unknown): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writePrivateFileSync(file, pythonStyleJson(value));
}

/** json.dumps(value) with Python's default separators (`, ` and `: `), insertion order kept. */
function pythonStyleJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? pythonString(value) : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonStyleJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${pythonString(k)}: ${pythonStyleJson(v)}`).join(', ')}}`;
}
