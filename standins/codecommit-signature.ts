// An independent implementation of CodeCommit's git password scheme (SigV4 over a tiny
// "GIT" canonical request), written with node:crypto only so that it can check the product's
// signer without sharing code (or bugs) with it. Not shipped.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface AcceptedKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, the username must carry exactly this token (`<id>%<token>`). */
  sessionToken?: string;
}

export type VerifyFailure =
  | 'malformed-username'
  | 'malformed-password'
  | 'unknown-host'
  | 'unknown-key'
  | 'token-mismatch'
  | 'bad-signature'
  | 'stale-timestamp'
  | 'future-timestamp';

export type VerifyResult = { ok: true; accessKeyId: string } | { ok: false; reason: VerifyFailure; accessKeyId?: string };

// Anchored host patterns (the AWS CLI's unanchored check would accept `…amazonaws.com.evil`).
const HOST_PATTERNS: RegExp[] = [
  /^git-codecommit(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/,
  /^vpce-[a-z0-9-]+\.git-codecommit(?:-fips)?\.([a-z0-9-]+)\.vpce\.amazonaws\.com(?:\.cn)?$/,
];

/** `host` or `host:port` → hostname, lower-cased (DNS names are case-insensitive). */
export function stripPort(host: string): string {
  return host.replace(/:\d+$/, '').toLowerCase();
}

/** The region a CodeCommit git hostname belongs to, or undefined for any other host. */
export function regionFromHost(host: string): string | undefined {
  const hostname = stripPort(host);
  for (const pattern of HOST_PATTERNS) {
    const match = pattern.exec(hostname);
    if (match) return match[1];
  }
  return undefined;
}

/** `YYYYMMDDTHHMMSS` in UTC, the form that goes in the password (followed by `Z`). */
export function codeCommitTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').slice(0, 15);
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

/** Hex signature for one (host, repo path, timestamp) under one secret key. */
export function codeCommitSignature(args: { secretAccessKey: string; hostname: string; repoPath: string; region: string; timestamp: string }): string {
  const { secretAccessKey, hostname, repoPath, region, timestamp } = args;
  const date = timestamp.slice(0, 8);
  const canonicalRequest = `GIT\n${repoPath}\n\nhost:${hostname}\n\nhost\n`;
  const scope = `${date}/${region}/codecommit/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), 'codecommit'), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/**
 * The stand-ins' signer (the product has its own): what `aws codecommit credential-helper get`
 * would print. `repoPath` is `/` + git's path attribute, e.g. `/v1/repos/myrepo`.
 */
export function signCodeCommitPassword(args: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  host: string;
  repoPath: string;
  now?: Date;
}): { username: string; password: string } {
  const hostname = stripPort(args.host);
  const region = regionFromHost(hostname);
  if (region === undefined) throw new Error(`not a CodeCommit host: ${args.host}`);
  const timestamp = codeCommitTimestamp(args.now ?? new Date());
  const signature = codeCommitSignature({ secretAccessKey: args.secretAccessKey, hostname, repoPath: args.repoPath, region, timestamp });
  const username = args.sessionToken ? `${args.accessKeyId}%${args.sessionToken}` : args.accessKeyId;
  return { username, password: `${timestamp}Z${signature}` };
}

function parseTimestamp(ts: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(ts);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Reject rollovers such as month 13 or second 61, which Date.UTC would silently accept.
  return codeCommitTimestamp(date) === ts ? date : undefined;
}

/**
 * Checks a git Basic-auth username/password pair the way CodeCommit does (as far as can be
 * seen from outside): the key must be known, a session token must match the key's, the
 * signature must match, and the timestamp must be recent (15 minutes by default) and not too far
 * in the future. The signature is checked before the clock, so a wrong secret says
 * `bad-signature` whatever the time.
 */
export function verifyCodeCommitPassword(args: {
  username: string;
  password: string;
  /** `host` or `host:port`; the port is not signed. */
  host: string;
  /** `/v1/repos/<name>`. */
  repoPath: string;
  now: Date;
  keys: readonly AcceptedKey[];
  maxAgeSeconds?: number;
  maxFutureSeconds?: number;
}): VerifyResult {
  const { username, password, host, repoPath, now, keys, maxAgeSeconds = 900, maxFutureSeconds = 300 } = args;

  // Username: `<key id>` or `<key id>%<session token>`; key ids never contain `%`.
  const percent = username.indexOf('%');
  const accessKeyId = percent === -1 ? username : username.slice(0, percent);
  const token = percent === -1 ? undefined : username.slice(percent + 1);
  if (!/^\w{1,128}$/.test(accessKeyId) || token === '') return { ok: false, reason: 'malformed-username' };

  const pw = /^(\d{8}T\d{6})Z([0-9a-f]{64})$/.exec(password);
  const signedAt = pw ? parseTimestamp(pw[1]!) : undefined;
  if (!pw || !signedAt) return { ok: false, reason: 'malformed-password', accessKeyId };
  const timestamp = pw[1]!;
  const signature = pw[2]!;

  const hostname = stripPort(host);
  const region = regionFromHost(hostname);
  if (region === undefined) return { ok: false, reason: 'unknown-host', accessKeyId };

  const key = keys.find((k) => k.accessKeyId === accessKeyId);
  if (!key) return { ok: false, reason: 'unknown-key', accessKeyId };
  if ((key.sessionToken ?? undefined) !== token) return { ok: false, reason: 'token-mismatch', accessKeyId };

  const expected = codeCommitSignature({ secretAccessKey: key.secretAccessKey, hostname, repoPath, region, timestamp });
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(signature, 'hex'))) {
    return { ok: false, reason: 'bad-signature', accessKeyId };
  }

  const ageSeconds = (now.getTime() - signedAt.getTime()) / 1000;
  if (ageSeconds > maxAgeSeconds) return { ok: false, reason: 'stale-timestamp', accessKeyId };
  if (-ageSeconds > maxFutureSeconds) return { ok: false, reason: 'future-timestamp', accessKeyId };
  return { ok: true, accessKeyId };
}
