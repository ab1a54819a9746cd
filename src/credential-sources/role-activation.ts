// Fetching a role profile's credentials when the AWS CLI cache has none fresh: one process at a
// time per role (the others wait and use its result), the source credentials, the MFA code (at
// most once a day with an MFA session, see below), AssumeRole with cc-helper's own STS client,
// and the answer written to the cache in the CLI's own shape.
//
// One MFA a day: when the role wants MFA and its source is an IAM user's long-term key, the code
// goes into one GetSessionToken (12 h by default), cached in cc-helper's own folder; every role
// is then assumed with that MFA-authenticated session, without asking again. AssumeRole called
// with such a session carries aws:MultiFactorAuthPresent, so MFA trust conditions still hold.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readProfile } from '../aws-files/profile.js';
import type { SigningCredentials } from '../codecommit/password.js';
import { askMfaCode } from '../prompt/mfa-code.js';
import { RENEW_MARGIN_SECONDS } from '../codecommit/renewal.js';
import { createStsClient, roleSessionNameFor, StsError, type CallerCredentials, type StsCredentials } from '../aws-clients/sts-client.js';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { UserError } from '../support/errors.js';
import { mask } from '../support/trace.js';
import { sessionOfRole } from '../account/account-evidence.js';
import { formatCacheTime, isFresh, readCacheFile, writeCacheFile } from '../aws-files/cli-cache.js';
import { reusableAfterWait } from './cache-claim.js';
import type { Served } from './resolved.js';
import { roleCacheClaim, type RoleContext, type RoleProfile } from './role-settings.js';
import { withSharedAttempt } from './shared-attempt.js';

export const DEFAULT_MFA_SESSION_SECONDS = 12 * 3600;

export async function activateRole(role: RoleProfile, seenText: string | undefined, context: RoleContext): Promise<Served> {
  const { env, trace } = context;
  const lockPath = join(ccHelperConfigDir(env), 'locks', `role-${basename(role.cacheFile, '.json')}.lock`);
  return withSharedAttempt(lockPath, `assuming the role of profile "${role.name}"`, trace, async () => {
    const reusable = reusableAfterWait(role.cacheFile, seenText, RENEW_MARGIN_SECONDS, env.HOME, roleCacheClaim(role.roleArn), trace);
    if (reusable) {
      trace(`profile "${role.name}": another process cached credentials meanwhile; using them`);
      return reusable;
    }
    const source = await sourceCredentials(role, context);
    let caller: CallerCredentials = source;
    let mfa: { serialNumber: string; tokenCode: string } | undefined;
    const mfaSessionSeconds = role.mfaSerial ? configuredMfaSessionSeconds(env) : 0;
    const viaMfaSession = !!role.mfaSerial && !source.sessionToken && mfaSessionSeconds > 0;
    if (viaMfaSession) caller = await mfaSession(source, role, mfaSessionSeconds, context);
    else if (role.mfaSerial) mfa = { serialNumber: role.mfaSerial, tokenCode: await askMfaCode(role.mfaSerial, role.name, env) };

    const sts = createStsClient({ region: role.region, credentials: caller, env, profile: role.name, now: () => new Date(), trace });
    const started = Date.now();
    let answer;
    try {
      answer = await sts.assumeRole({
        roleArn: role.roleArn,
        roleSessionName: role.roleSessionName ?? roleSessionNameFor(role.name),
        ...(role.durationSeconds !== undefined ? { durationSeconds: role.durationSeconds } : {}),
        ...(role.externalId ? { externalId: role.externalId } : {}),
        ...mfa,
      });
    } catch (error) {
      // A revoked or expired MFA session must not block this role for the rest of the day.
      if (viaMfaSession && error instanceof StsError && (error.kind === 'expired-token' || error.kind === 'invalid-credentials')) forgetMfaSession(source, role, env);
      throw error;
    }
    trace(`STS AssumeRole for "${role.name}" took ${Date.now() - started} ms: key ${mask(answer.accessKeyId)} until ${answer.expiration.toISOString()}`);
    // The answer proves the account of exactly these keys, if it is a session of the role asked for.
    const session = sessionOfRole(answer.assumedRoleArn, role.roleArn);
    if ('mismatch' in session) {
      throw new UserError(`STS answered AssumeRole of ${role.roleArn} for profile "${role.name}" with credentials that are not that role's (${session.mismatch}): refused them; check AWS_ENDPOINT_URL_STS`);
    }
    try {
      writeCacheFile(role.cacheFile, role.cacheDir, {
        Credentials: {
          AccessKeyId: answer.accessKeyId,
          SecretAccessKey: answer.secretAccessKey,
          SessionToken: answer.sessionToken,
          Expiration: formatCacheTime(answer.expiration),
          AccountId: session.account,
        },
        AssumedRoleUser: { AssumedRoleId: answer.assumedRoleId, Arn: answer.assumedRoleArn },
        ResponseMetadata: {},
      });
    } catch (error) {
      // The credentials are good; only the next process pays for the missing cache.
      trace(`cannot write ${role.cacheFile}: ${(error as Error).message}`);
    }
    return { credentials: answer, account: { id: session.account, from: `STS AssumeRole of ${role.roleArn} just now (${answer.assumedRoleArn})` } };
  });
}

/** The credentials that call AssumeRole: the source profile's, resolved as botocore does. */
async function sourceCredentials(role: RoleProfile, context: RoleContext): Promise<SigningCredentials> {
  const { env } = context;
  const name = role.sourceProfile;
  if (name === role.name) {
    // botocore: a profile may name itself as source when it holds static keys too.
    const values = readProfile(name, env).values;
    if (!values.aws_access_key_id || !values.aws_secret_access_key) {
      throw new UserError(`profile "${name}" names itself as source_profile but has no aws_access_key_id/aws_secret_access_key: add them, or point source_profile at another profile`);
    }
    const token = values.aws_security_token || values.aws_session_token;
    return { accessKeyId: values.aws_access_key_id, secretAccessKey: values.aws_secret_access_key, ...(token ? { sessionToken: token } : {}) };
  }
  const chain = new Set(context.chain ?? []).add(role.name);
  if (chain.has(name)) throw new UserError(`profile "${role.name}": the source_profile chain loops back to "${name}": break the loop in the AWS config file`);
  // Resolved as the resolver resolves a profile (handed in: see ResolveSource); the chain was
  // checked for [default] before it got here.
  return context.resolveSource(name, readProfile(name, env).values, chain);
}

/** CC_HELPER_MFA_SESSION_SECONDS: how long the morning's MFA session lasts; 0 turns it off. */
function configuredMfaSessionSeconds(env: NodeJS.ProcessEnv): number {
  const text = env.CC_HELPER_MFA_SESSION_SECONDS;
  if (text === undefined || text === '') return DEFAULT_MFA_SESSION_SECONDS;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || (seconds !== 0 && (seconds < 900 || seconds > 129_600))) {
    throw new UserError(`CC_HELPER_MFA_SESSION_SECONDS must be 0 (off) or 900 to 129600 seconds, not ${JSON.stringify(text.slice(0, 20))}`);
  }
  return seconds;
}

function mfaSessionFile(longTerm: CallerCredentials, role: RoleProfile, env: NodeJS.ProcessEnv): { dir: string; file: string; id: string } {
  const id = createHash('sha1').update(`${longTerm.accessKeyId}\n${role.mfaSerial}`, 'utf8').digest('hex');
  const dir = join(ccHelperConfigDir(env), 'mfa-sessions');
  return { dir, file: join(dir, `${id}.json`), id };
}

/** The day's MFA session of this IAM user and device: cached, or one GetSessionToken with one code. */
async function mfaSession(longTerm: CallerCredentials, role: RoleProfile, seconds: number, context: RoleContext): Promise<CallerCredentials> {
  const { env, trace } = context;
  const { dir, file, id } = mfaSessionFile(longTerm, role, env);
  const usable = () => {
    const cached = readCacheFile(file, env.HOME);
    return cached && isFresh(cached.credentials.expiration, new Date(), RENEW_MARGIN_SECONDS) ? cached.credentials : undefined;
  };
  const ready = usable();
  if (ready) {
    trace(`MFA session for ${role.mfaSerial} cached until ${ready.expiration.toISOString()}`);
    return ready;
  }
  const lockPath = join(ccHelperConfigDir(env), 'locks', `mfa-${id}.lock`);
  return withSharedAttempt(lockPath, `starting the MFA session for ${role.mfaSerial}`, trace, async () => {
    const again = usable();
    if (again) return again;
    const tokenCode = await askMfaCode(role.mfaSerial!, role.name, env);
    const sts = createStsClient({ region: role.region, credentials: longTerm, env, profile: role.name, now: () => new Date(), trace });
    const session: StsCredentials = await sts.getSessionToken({ durationSeconds: seconds, serialNumber: role.mfaSerial!, tokenCode });
    trace(`MFA session for ${role.mfaSerial} until ${session.expiration.toISOString()} (key ${mask(session.accessKeyId)})`);
    writeCacheFile(file, dir, {
      Credentials: {
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        SessionToken: session.sessionToken,
        Expiration: formatCacheTime(session.expiration),
      },
    });
    return session;
  });
}

function forgetMfaSession(longTerm: CallerCredentials, role: RoleProfile, env: NodeJS.ProcessEnv): void {
  rmSync(mfaSessionFile(longTerm, role, env).file, { force: true });
}
