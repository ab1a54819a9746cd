// Times written the way AWS and git read them, from the UTC getters. Not Date#toISOString: its
// first call in a process costs about 0.8 ms (more than signing), and the get path runs once.

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** `2026-12-02T16:11:50Z`: ISO 8601 to the second (for messages and traces). */
export function isoSeconds(date: Date): string {
  return `${date.getUTCFullYear()}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}T${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}Z`;
}

/** `20261202T161150`: SigV4's basic format, without the Z (CodeCommit's password adds it). */
export function basicTimestamp(date: Date): string {
  return `${date.getUTCFullYear()}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}T${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}`;
}
