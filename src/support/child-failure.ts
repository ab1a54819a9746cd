// How a program cc-helper ran failed, in words, from the error child_process gives: a timeout
// or a signal leaves the exit status null, which is no answer to show anyone.

/** "exited with status 3", "did not finish within 60 s", "was stopped by SIGKILL", "could not be started (ENOENT)". */
export function howChildFailed(error: unknown, timeoutMs?: number): string {
  const e = (error ?? {}) as { status?: unknown; code?: unknown; signal?: unknown; killed?: unknown };
  // execFileSync says ETIMEDOUT; execFile kills the child itself and says `killed`.
  if (e.code === 'ETIMEDOUT' || (timeoutMs !== undefined && e.killed === true)) {
    return `did not finish within ${timeoutMs === undefined ? 'its time' : timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`;
  }
  const status = typeof e.status === 'number' ? e.status : typeof e.code === 'number' ? e.code : undefined;
  if (status !== undefined) return `exited with status ${status}`;
  if (typeof e.signal === 'string') return `was stopped by ${e.signal}`;
  return typeof e.code === 'string' ? `could not be started (${e.code})` : 'could not be started';
}
