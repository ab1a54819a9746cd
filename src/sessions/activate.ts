// On-demand sessions: when a vault-backed profile has no valid short-lived credentials, get them
// (from STS with the vault's long-term key, or from Leapp) and write only those into the
// profile's section of the credentials file. Many git processes may race here at once; the
// profile's activation lock plus a re-read under it means exactly one of them talks to STS and
// the rest reuse its work.
import { basename, join } from 'node:path';
import {
  activationLockPath,
  pruneExpiredSessionSections,
  replaceProfileSection,
  SESSION_MARKER_KEY,
  sessionSectionValues,
  withProfileActivationLock,
} from '../aws-files/credentials-file-editor.js';
import { loadProfileCredentials } from '../credentials/profile-credentials.js';
import { configProfileHeader } from '../aws-files/shared-file-parser.js';
import { sharedFilePaths } from '../aws-files/shared-files.js';
import type { SigningCredentials } from '../codecommit/password.js';
import { roleSessionNameFor, type CallerCredentials, type StsClient, type StsCredentials } from '../aws-clients/sts-client.js';
import { replayingFailure } from '../credential-sources/shared-attempt.js';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { UserError } from '../support/errors.js';
import { mask, type Trace } from '../support/trace.js';
import { describeAnswer } from '../prompt/mfa-code.js';
import { sessionOfRole } from '../account/account-evidence.js';
import { remember } from '../account/account-pin.js';
import { needsRenewal } from '../codecommit/renewal.js';
import { sessionMarkerFor, type SessionDefinition } from './session-definitions.js';

/** Everything the activator touches outside itself, so tests hand in real parts pointed at temp places. */
export interface SessionDeps {
  env: NodeJS.ProcessEnv;
  now: () => Date;
  trace: Trace;
  /** Asks a person for an MFA code (askpass or /dev/tty); throws when nobody can be asked. */
  askMfaCode: (serial: string, profile: string) => Promise<string>;
  /** The long-term key behind a vault-backed definition. */
  vaultKey: (definition: SessionDefinition) => Promise<CallerCredentials>;
  /** An STS client signing with `credentials`. */
  /** `profile`: the profile the session is for, whose `ca_bundle` the call uses (as the AWS CLI would). */
  sts: (credentials: CallerCredentials, region: string, profile: string) => Pick<StsClient, 'getSessionToken' | 'assumeRole'>;
  leapp: { start(profile: string): Promise<unknown> };
}

/** Credentials from a section's values, if they are good for at least the renewal margin. */
export function usableSession(values: Record<string, string> | undefined, now: Date): SigningCredentials | undefined {
  if (!values?.aws_access_key_id || !values.aws_secret_access_key || !values.x_security_token_expires) return undefined;
  const expiration = new Date(values.x_security_token_expires);
  if (Number.isNaN(expiration.getTime())) return undefined;
  const credentials: SigningCredentials = {
    accessKeyId: values.aws_access_key_id,
    secretAccessKey: values.aws_secret_access_key,
    expiration,
  };
  if (values.aws_session_token) credentials.sessionToken = values.aws_session_token;
  return needsRenewal(credentials, now) ? undefined : credentials;
}

/**
 * Makes sure the profile has an active session and returns its credentials.
 * `force` starts a new session even when the current one is still good (`session start --force`).
 */
export async function activateSession(definition: SessionDefinition, deps: SessionDeps, force = false): Promise<SigningCredentials> {
  const { profile } = definition;
  if ('leapp' in definition.source) return activateLeapp(definition, deps);
  const file = sharedFilePaths(deps.env).credentialsFile;
  const started = Date.now();
  // When the one activation this process waited for failed, its error is reported again
  // instead of a fresh STS call (and MFA prompt) from each of the waiting git processes.
  const failureFile = join(ccHelperConfigDir(deps.env), 'locks', `${basename(activationLockPath(file, profile))}.failed`);
  return withProfileActivationLock(
    file,
    profile,
    async (current) => {
      // A section cc-helper did not write (keys of another tool, the user's region or ca_bundle)
      // is neither reused as "our" session nor replaced by one: the person decides.
      if (current !== undefined && current[SESSION_MARKER_KEY] === undefined) {
        throw new UserError(
          `[${profile}] in ${file} was not written by cc-helper: not replacing it with a session ` +
            `(move its settings to [${configProfileHeader(profile)}] in the config file, or remove the section, then try again)`,
        );
      }
      // Re-read under the lock: another git process may have activated the session meanwhile.
      const fresh = force ? undefined : usableSession(current, deps.now());
      if (fresh) {
        deps.trace(`the session for "${profile}" was activated by another process; reusing it`);
        return fresh;
      }
      return replayingFailure(failureFile, started, deps.trace, async () => {
        const temporary = await obtain(definition, deps);
        await replaceProfileSection(file, profile, sessionSectionValues(temporary, sessionMarkerFor(definition)), { trace: deps.trace });
        // Prune on the way: expired sections cc-helper wrote for other profiles are dead weight.
        const pruned = await pruneExpiredSessionSections(file, { now: deps.now(), trace: deps.trace });
        if (pruned.length) deps.trace(`pruned expired sessions: ${pruned.join(', ')}`);
        deps.trace(`session for "${profile}" active until ${temporary.expiration.toISOString()} (key ${mask(temporary.accessKeyId)})`);
        return temporary;
      });
    },
    { trace: deps.trace },
  );
}

async function obtain(definition: SessionDefinition, deps: SessionDeps): Promise<StsCredentials> {
  const { profile, region, durationSeconds } = definition;
  const source = await sourceCredentials(definition, deps);
  const mfa = definition.mfaSerial
    ? { serialNumber: definition.mfaSerial, tokenCode: await deps.askMfaCode(definition.mfaSerial, profile) }
    : {};
  if (definition.mfaSerial && !/^\d{6}$/.test(mfa.tokenCode ?? '')) {
    throw new UserError(`the MFA code for profile "${profile}" must be 6 digits, got ${describeAnswer(mfa.tokenCode ?? '')}; nothing was changed`);
  }
  const started = Date.now();
  const sts = deps.sts(source, region, profile);
  const temporary = definition.roleArn
    ? await sts.assumeRole({
        roleArn: definition.roleArn,
        roleSessionName: roleSessionNameFor(profile),
        durationSeconds,
        ...(definition.externalId ? { externalId: definition.externalId } : {}),
        ...mfa,
      })
    : await sts.getSessionToken({ durationSeconds, ...mfa });
  deps.trace(`STS ${definition.roleArn ? 'AssumeRole' : 'GetSessionToken'} for "${profile}" took ${Date.now() - started} ms`);
  if (definition.roleArn) {
    // STS's answer proves the account of exactly these keys: remembered for the account pin, so
    // every later get with this session (now in the credentials file) checks it with no STS call.
    // A session someone else writes into the section later has other keys, and proves nothing.
    const session = sessionOfRole((temporary as { assumedRoleArn?: string }).assumedRoleArn, definition.roleArn);
    if ('mismatch' in session) {
      throw new UserError(`STS answered AssumeRole of ${definition.roleArn} for profile "${profile}" with credentials that are not that role's (${session.mismatch}): refused them; nothing was changed`);
    }
    remember(temporary.accessKeyId, session.account, deps);
  }
  return temporary;
}

async function sourceCredentials(definition: SessionDefinition, deps: SessionDeps): Promise<CallerCredentials> {
  const { source } = definition;
  if ('profile' in source) {
    if (source.profile === definition.profile) {
      throw new UserError(`profile "${definition.profile}" cannot be its own source profile: choose another`);
    }
    return (await loadProfileCredentials(source.profile, { env: deps.env, now: deps.now(), trace: deps.trace })).credentials;
  }
  return deps.vaultKey(definition);
}

async function activateLeapp(definition: SessionDefinition, deps: SessionDeps): Promise<SigningCredentials> {
  await deps.leapp.start(definition.profile);
  // Leapp writes the section itself (without an expiry) into ~/.aws/credentials.
  const { leappCredentialsFile } = await import('../vault/leapp.js');
  const file = leappCredentialsFile(deps.env);
  const { credentials } = await loadProfileCredentials(definition.profile, {
    env: { ...deps.env, AWS_SHARED_CREDENTIALS_FILE: file },
    now: deps.now(),
    trace: deps.trace,
  });
  return credentials;
}
