// The one discipline both refreshable sign-ins keep (IAM Identity Center's token in
// ~/.aws/sso/cache, `aws login`'s credentials in ~/.aws/login/cache). Each file holds short-lived
// material and a refresh secret the service rotates on every use: presenting a spent one is
// refused and may end the whole sign-in session, so two processes must never refresh with the
// same secret. Hence, once the warm path (the caller's: no lock, no SDK) found the material
// inside its refresh window:
// 1. one lock per cache file (shared-attempt.ts: the others wait, then use what it wrote);
// 2. the file read again under the lock, and used if someone (another get, the AWS CLI) has
//    refreshed it meanwhile; the refresh secret is only ever the one read under the lock;
// 3. the service's answer written back in the CLI's own shape (the caller's `write`: 0600, temp
//    file and rename) before it is used, so the next process and the AWS CLI see it;
// 4. one failure rule: when the service refuses or cannot be reached and the cached material is
//    still valid, it signs, with one line on stderr saying until when and what to run; otherwise
//    a UserError naming the command that signs in again (the helper answers quit=1).
// The processes that waited for a refresh that failed take its outcome (the error, or the
// material it fell back to) instead of calling the service again each: sixteen gets at the
// moment of expiry make one call, whatever it answers.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RefreshFailed, RefreshRefused } from '../aws-clients/refresh-outcome.js';
import { withSharedAttempt } from './shared-attempt.js';
import { readBoundedText } from '../support/bounded-file.js';
import type { UserError } from '../support/errors.js';
import type { Trace } from '../support/trace.js';
import { isoSeconds } from '../support/utc-time.js';
import { warning } from '../support/warning.js';

/** What a cache file holds, as the caller reads it (bounded, trusted). */
export type SignInRead<T> = { status: 'read'; text: string; value: T } | { status: 'missing' } | { status: 'unusable'; why: string };

export interface RefreshableSignIn<T> {
  /** `profile "X"`, for messages. */
  who: string;
  /** What is refreshed, as a message names it: `the SSO login`, `the credentials of \`aws login\``. */
  what: string;
  /** The command that signs in again, as a person types it: `aws sso login --profile X`. */
  command: string;
  /** Why, when there is no cache file at all: `there is no SSO login`. */
  missing: string;
  /** The one-line error that says to run `command`, with why. */
  signInAgain(why: string): UserError;
  /** The lock, one per cache file (under ~/.config/cc-helper/locks). */
  lockPath: string;
  read(): SignInRead<T>;
  expiresAt(value: T): Date;
  /** Refresh when fewer than this many seconds are left (the CLI's window). */
  windowSeconds: number;
  /** Why this material cannot be refreshed (no refresh token, an expired registration), or undefined. */
  notRefreshable(value: T, now: Date): string | undefined;
  /** Asks the service; throws RefreshRefused or RefreshFailed. */
  refresh(value: T, now: Date): Promise<T>;
  /** Writes the new material in the CLI's shape (before it is used). */
  write(value: T): void;
  trace: Trace;
  now: () => Date;
}

/** Material freshly written by another process is used even inside the window, down to this. */
const REUSE_MARGIN_MS = 60_000;

export interface Refreshed<T> {
  value: T;
  /** Set when a refresh failed and the current material serves anyway: why, and the line for stderr. */
  fellBack?: { reason: string; warning: string };
}

/**
 * Material that serves, from the file as it is under the lock: refreshed when due and possible.
 * `seen`: what the caller's warm path read before the lock (to tell a refresh made meanwhile).
 */
export async function refreshedUnderLock<T>(signIn: RefreshableSignIn<T>, seen: SignInRead<T>): Promise<Refreshed<T>> {
  const started = Date.now();
  const failedFile = refreshFailedFile(signIn.lockPath);
  return withSharedAttempt(signIn.lockPath, `refreshing ${signIn.what} of ${signIn.who}`, signIn.trace, async () => {
    const current = signIn.read();
    const now = signIn.now();
    if (current.status !== 'read') throw signIn.signInAgain(current.status === 'missing' ? signIn.missing : current.why);
    const { value, text } = current;
    const expiresAt = signIn.expiresAt(value);
    const left = expiresAt.getTime() - now.getTime();
    if (left >= signIn.windowSeconds * 1000) {
      if (seen.status !== 'read' || seen.text !== text) signIn.trace(`${signIn.who}: ${signIn.what} was refreshed meanwhile (until ${isoSeconds(expiresAt)}); using it`);
      return { value };
    }
    if (seen.status === 'read' && seen.text !== text && left > REUSE_MARGIN_MS) {
      // Refreshed meanwhile, close to the session's end (the service cuts the material there).
      signIn.trace(`${signIn.who}: ${signIn.what} was refreshed meanwhile (until ${isoSeconds(expiresAt)}); using it`);
      return { value };
    }
    const why = signIn.notRefreshable(value, now);
    if (why) {
      // As the AWS CLI: material that cannot be refreshed serves silently until it ends.
      if (left > 0) return { value };
      throw signIn.signInAgain(`${expiredText(signIn, expiresAt)}, and cannot be refreshed: ${why}`);
    }
    const failed = readFailed(failedFile);
    if (failed && failed.at >= started && failed.file === digest(text)) {
      signIn.trace(`${signIn.who}: the refresh this process waited for failed (${failed.reason}): not asking again`);
      return useWhileValid(signIn, value, expiresAt, failed.reason, left);
    }
    let next: T;
    try {
      signIn.trace(`${signIn.who}: ${signIn.what} ${left > 0 ? 'expires' : 'expired'} at ${isoSeconds(expiresAt)}: refreshing`);
      next = await signIn.refresh(value, now);
    } catch (error) {
      if (!(error instanceof RefreshRefused || error instanceof RefreshFailed)) throw error;
      signIn.trace(`${signIn.who}: refresh failed: ${error.message}`);
      writeFailed(failedFile, { at: Date.now(), file: digest(text), reason: error.message });
      return useWhileValid(signIn, value, expiresAt, error.message, left);
    }
    rmSync(failedFile, { force: true });
    try {
      signIn.write(next);
    } catch (error) {
      // The service has rotated the refresh secret: the file's one is spent. These credentials
      // serve now, but the next refresh cannot work.
      warning(
        `${signIn.who}: the refreshed ${signIn.what.replace(/^the /, '')} could not be written back (${(error as Error).message.split('\n', 1)[0]}): ` +
          `this push works, but the next refresh will not; run \`${signIn.command}\``,
      );
    }
    return { value: next };
  });
}

/**
 * The one failure rule: valid material serves, with the line to show once it has served (the
 * caller prints it: an SSO portal that refuses the token too makes it one error, not two lines);
 * ended material cannot.
 */
function useWhileValid<T>(signIn: RefreshableSignIn<T>, value: T, expiresAt: Date, reason: string, left: number): Refreshed<T> {
  if (left <= 0) throw signIn.signInAgain(`${expiredText(signIn, expiresAt)}, and refreshing failed: ${reason}`);
  return {
    value,
    fellBack: { reason, warning: `${signIn.who}: could not refresh ${signIn.what} (${reason}); it still serves until ${isoSeconds(expiresAt)}: run \`${signIn.command}\` before then` },
  };
}

function expiredText<T>(signIn: RefreshableSignIn<T>, expiresAt: Date): string {
  return `${signIn.what} expired at ${isoSeconds(expiresAt)}`;
}

/**
 * The last refresh of this cache file, if it failed and the file is still the one it read (not
 * replaced since by a new sign-in or another refresh): when, and why. For doctor: it is what the
 * next push meets.
 */
export function lastRefreshFailure(lockPath: string, text: string): { at: Date; reason: string } | undefined {
  const failed = readFailed(refreshFailedFile(lockPath));
  return failed && failed.file === digest(text) ? { at: new Date(failed.at), reason: failed.reason } : undefined;
}

function refreshFailedFile(lockPath: string): string {
  return `${lockPath}.refresh-failed`;
}

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A failed refresh, beside the lock until the next success. Holds no secret (the reasons never do). */
interface Failed {
  at: number;
  /** sha256 of the cache file the failed refresh read: the outcome is shared only for that file. */
  file: string;
  reason: string;
}

function writeFailed(file: string, fallback: Failed): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(fallback), { mode: 0o600 });
  } catch {
    // the waiters then ask for themselves
  }
}

function readFailed(file: string): Failed | undefined {
  // Its reason is shown to the user: only one this user (or root) could have written.
  const read = readBoundedText(file, { maxBytes: 16 * 1024, trusted: { home: process.env.HOME } });
  if (read.status !== 'read') return undefined;
  try {
    const value = JSON.parse(read.text) as Partial<Failed>;
    return typeof value.at === 'number' && typeof value.file === 'string' && typeof value.reason === 'string' ? (value as Failed) : undefined;
  } catch {
    return undefined;
  }
}
