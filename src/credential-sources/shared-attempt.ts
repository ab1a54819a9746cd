// Many git processes that need the same credentials at once make one attempt between them: the
// first takes the lock and fetches (and prompts); the others wait, then use what it stored. When
// that one attempt fails, the waiters report its failure instead of each trying again: sixteen
// processes must not mean sixteen MFA prompts or sixteen calls to a failing STS.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readBoundedText } from '../support/bounded-file.js';
import { UserError } from '../support/errors.js';
import { withFileLock } from '../support/file-lock.js';
import type { Trace } from '../support/trace.js';

/** Long enough for a person to find their MFA device; the holder may block in a prompt. */
const LOCK_OPTIONS = { timeoutMs: 180_000, staleMs: 600_000 };

export async function withSharedAttempt<T>(lockPath: string, purpose: string, trace: Trace, attempt: () => Promise<T>): Promise<T> {
  const started = Date.now();
  return withFileLock(lockPath, () => replayingFailure(`${lockPath}.failed`, started, trace, attempt), { ...LOCK_OPTIONS, purpose, trace });
}

/**
 * Runs `attempt` under a lock the caller holds, unless the attempt this process waited for
 * (one that failed after `started`) already failed: then its one-line error is reported again.
 */
export async function replayingFailure<T>(failureFile: string, started: number, trace: Trace, attempt: () => Promise<T>): Promise<T> {
  const failure = readFailure(failureFile);
  if (failure && failure.at >= started) {
    trace('the attempt this process waited for failed: reporting its error');
    throw new UserError(failure.message);
  }
  try {
    const result = await attempt();
    rmSync(failureFile, { force: true });
    return result;
  } catch (error) {
    // Only our own one-line messages are kept: they never hold a secret.
    if (error instanceof UserError) {
      try {
        mkdirSync(dirname(failureFile), { recursive: true, mode: 0o700 });
        writeFileSync(failureFile, JSON.stringify({ at: Date.now(), message: error.message }), { mode: 0o600 });
      } catch {
        // the waiters then try for themselves
      }
    }
    throw error;
  }
}

function readFailure(file: string): { at: number; message: string } | undefined {
  // Its message is shown to the user: only one this user (or root) could have written.
  const read = readBoundedText(file, { maxBytes: 64 * 1024, trusted: { home: process.env.HOME } });
  if (read.status !== 'read') return undefined;
  try {
    const value = JSON.parse(read.text) as { at?: unknown; message?: unknown };
    return typeof value.at === 'number' && typeof value.message === 'string' ? { at: value.at, message: value.message } : undefined;
  } catch {
    return undefined;
  }
}
