// A role profile's settings (`role_arn` + `source_profile`), read as botocore's AssumeRoleProvider
// reads them (botocore/credentials.py, _get_role_config), the AWS CLI cache file they name, and
// what such a file must hold to be used (roleCacheClaim). Shared by the warm path
// (role-profile.ts) and the fetch (role-activation.ts).
import { join } from 'node:path';
import { sessionOfRole } from '../account/account-evidence.js';
import { UserError } from '../support/errors.js';
import { assumeRoleCacheKey, cliCacheDir, type CacheArgs } from '../aws-files/cli-cache.js';
import type { SigningCredentials } from '../codecommit/password.js';
import type { CacheClaim } from './cache-claim.js';
import type { SourceContext } from './resolved.js';

export interface RoleProfile {
  name: string;
  roleArn: string;
  sourceProfile: string;
  mfaSerial?: string;
  externalId?: string;
  /** As configured; undefined means botocore's generated `botocore-session-<time>`. */
  roleSessionName?: string;
  durationSeconds?: number;
  /** Signing region for STS. */
  region: string;
  /** The AssumeRole arguments botocore hashes into the cache key. */
  cacheArgs: CacheArgs;
  cacheDir: string;
  cacheFile: string;
}

/**
 * How a role's source profile gets its credentials: handed in by the resolver
 * (credentials/profile-credentials.ts), since botocore resolves a source profile with the same
 * chain, so that no source imports the resolver (the JS SDK's credential-provider-ini is handed
 * its role assumer the same way, in FromIniInit). `values`: the source profile's merged settings;
 * `chain`: the profiles already on this source_profile chain, to stop a loop.
 */
export type ResolveSource = (name: string, values: Record<string, string>, chain: Set<string>) => Promise<SigningCredentials>;

export interface RoleContext extends SourceContext {
  resolveSource: ResolveSource;
  /** Profiles already on this source_profile chain, to stop a loop. */
  chain?: Set<string>;
}

export function roleProfile(name: string, values: Record<string, string>, env: NodeJS.ProcessEnv): RoleProfile {
  // AssumeRoleProvider._get_role_config + _resolve_credentials_from_profile's extra_args.
  const args: CacheArgs = { RoleArn: values.role_arn! };
  const profile: RoleProfile = {
    name,
    roleArn: values.role_arn!,
    sourceProfile: values.source_profile!,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || values.region || 'us-east-1',
    cacheArgs: args,
    cacheDir: cliCacheDir(env),
    cacheFile: '',
  };
  // botocore generates a name when the setting is missing or empty, and leaves it out of the key.
  if (values.role_session_name) profile.roleSessionName = args.RoleSessionName = values.role_session_name;
  if (values.external_id !== undefined) profile.externalId = args.ExternalId = values.external_id;
  if (values.mfa_serial !== undefined) profile.mfaSerial = args.SerialNumber = values.mfa_serial;
  if (values.duration_seconds !== undefined) {
    // Python's int(): optional sign and surrounding spaces, decimal digits.
    if (!/^\s*\+?\d+\s*$/.test(values.duration_seconds)) {
      throw new UserError(`profile "${name}" has duration_seconds = ${JSON.stringify(values.duration_seconds.slice(0, 20))}: expected a number of seconds (900 to 43200)`);
    }
    profile.durationSeconds = args.DurationSeconds = Number(values.duration_seconds.trim());
  }
  profile.cacheFile = join(profile.cacheDir, `${assumeRoleCacheKey(args)}.json`);
  return profile;
}

/**
 * An AssumeRole cache file holds what its name claims when its AssumedRoleUser.Arn is a session of
 * `roleArn` (and Credentials.AccountId, which botocore >= 1.35 adds, names the same account).
 * Then the account is proven: the file is the STS answer for exactly these keys.
 */
export function roleCacheClaim(roleArn: string): CacheClaim {
  return (document, file) => {
    const arn = (document.AssumedRoleUser as { Arn?: unknown } | undefined)?.Arn;
    const session = sessionOfRole(arn, roleArn);
    if ('mismatch' in session) return { mismatch: `${session.mismatch} (a cache file for ${roleArn} must hold that role's session)` };
    const accountId = (document.Credentials as { AccountId?: unknown }).AccountId;
    if (accountId !== undefined && accountId !== session.account) {
      return { mismatch: `its Credentials.AccountId ${JSON.stringify(String(accountId).slice(0, 20))} is not ${session.account}, the account of its assumed role` };
    }
    return { account: { id: session.account, from: `the AWS CLI cache ${file} (a session of ${roleArn}: ${String(arn)})` } };
  };
}
