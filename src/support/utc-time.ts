// Times written the way AWS and git read them, from the UTC getters. Not Date#toISOString: its
// first call in a process costs about 0.8 ms (more than signing), and the get path runs once.

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * `2026-12-02T16:11:50Z`: RFC 3339 in whole seconds, rounded down (never later than the real
 * time), for expiries in files and for messages. A year outside 0-9999 (or an invalid date) is
 * left to toISOString, whose extended form (or RangeError) it has always been.
 */
export function isoSeconds(date: Date): string {
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return `${String(year).padStart(4, '0')}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}T${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}Z`;
}

/** `20261202T161150`: SigV4's basic format, without the Z (CodeCommit's password adds it). */
export function basicTimestamp(date: Date): string {
  return `${date.getUTCFullYear()}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}T${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}`;
}

/**
 * The times the AWS CLI's caches hold, as it writes and reads them (dateutil):
 * `2030-01-02T03:04:05UTC` (JSONFileCache's strftime), `…Z` (the SSO and login caches), `…+00:00`
 * (isoformat), with optional fractions (the JS SDK writes milliseconds). Here, not in the role
 * cache's module, so the `aws login` warm path reads its cache without loading node:crypto.
 */
export function parseCacheTime(text: string): Date | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?)(Z|UTC|[+-]\d\d:?\d\d)$/.exec(text);
  if (!m) return undefined;
  const zone = m[2] === 'UTC' || m[2] === 'Z' ? 'Z' : m[2]!.replace(/^([+-]\d\d)(\d\d)$/, '$1:$2');
  const date = new Date(m[1]! + zone);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
