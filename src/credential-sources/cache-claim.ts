// Serving from the AWS CLI's credential cache (aws-files/cli-cache.ts reads and writes its files):
// a file is used only when its contents agree with what its name claims (CacheClaim: a session of
// the profile's role, the profile's SSO account), fresh outside botocore's refresh window, or, after
// waiting for the fetch lock, whatever another process (or the AWS CLI) wrote meanwhile that still
// lasts the renewal margin. Otherwise the source's own fetch runs.
import type { AccountEvidence } from '../account/account-evidence.js';
import { isFresh, readCacheFile, type CachedCredentials } from '../aws-files/cli-cache.js';
import { isoSeconds } from '../support/utc-time.js';
import type { Served } from './resolved.js';

/**
 * Checks a cache file's contents against what its name claims: the account its credentials
 * belong to, or why the file does not hold what it claims (then it is not used).
 */
export type CacheClaim = (document: Record<string, unknown>, file: string) => { account: AccountEvidence } | { mismatch: string };

/** The cache file's credentials when its contents agree with `claim`; undefined (with why, traced) otherwise. */
function claimed(cached: CachedCredentials | undefined, file: string, claim: CacheClaim, trace: (line: string) => void): (Served & { cached: CachedCredentials }) | undefined {
  if (!cached) return undefined;
  const verdict = claim(cached.document, file);
  if ('mismatch' in verdict) {
    trace(`not using ${file}: ${verdict.mismatch}`);
    return undefined;
  }
  return { credentials: cached.credentials, account: verdict.account, cached };
}

/**
 * Fresh credentials from `file` (when it holds what `claim` says it should), else what `fetch`
 * gets. `fetch` is handed the text seen here, so that after waiting for a lock it can tell
 * whether another process replaced the file.
 */
export async function cachedOrFetch(
  file: string,
  profile: string,
  context: { env: NodeJS.ProcessEnv; now: Date; trace: (line: string) => void },
  claim: CacheClaim,
  fetch: (seenText: string | undefined) => Promise<Served>,
): Promise<Served> {
  const raw = readCacheFile(file, context.env.HOME);
  const cached = claimed(raw, file, claim, context.trace);
  if (cached && isFresh(cached.cached.credentials.expiration, context.now)) {
    context.trace(`profile "${profile}": AWS CLI cache ${file} is fresh until ${isoSeconds(cached.cached.credentials.expiration)}`);
    return { credentials: cached.credentials, ...(cached.account ? { account: cached.account } : {}) };
  }
  context.trace(`profile "${profile}": ${cached ? 'cached credentials are inside the refresh window' : `no usable AWS CLI cache at ${file}`}`);
  // A file that does not hold what it claims is passed on as unseen: it is replaced, never reused.
  return fetch(cached?.cached.text);
}

/**
 * Under the fetch lock: what the file holds now, if it can serve (and holds what `claim` says).
 * Another process (or the AWS CLI) may have fetched while this one waited; what it wrote is used
 * even inside the CLI's refresh window, as long as it can still sign for the renewal margin.
 */
export function reusableAfterWait(
  file: string,
  seenText: string | undefined,
  marginSeconds: number,
  home: string | undefined,
  claim: CacheClaim,
  trace: (line: string) => void,
): Served | undefined {
  const current = claimed(readCacheFile(file, home), file, claim, trace);
  if (!current) return undefined;
  const { expiration } = current.cached.credentials;
  const now = new Date();
  const usable = isFresh(expiration, now) || (current.cached.text !== seenText && isFresh(expiration, now, marginSeconds));
  return usable ? { credentials: current.credentials, ...(current.account ? { account: current.account } : {}) } : undefined;
}

