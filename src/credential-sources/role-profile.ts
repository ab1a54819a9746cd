// Role profiles (`role_arn` + `source_profile`) with the AWS CLI's cache: when ~/.aws/cli/cache
// holds fresh credentials for the profile's AssumeRole arguments, they sign at once, without STS
// and without loading anything more than this file. Fetching new ones (lock, MFA, STS) lives in
// role-activation.ts, loaded only then. A cache file is used only when it holds a session of the
// profile's role (roleCacheClaim), and that session's account is what the account pin is
// checked against.
import { cachedOrFetch } from './cache-claim.js';
import type { Served } from './resolved.js';
import { roleCacheClaim, roleProfile, type RoleContext } from './role-settings.js';

export async function loadRoleCredentials(name: string, values: Record<string, string>, context: RoleContext): Promise<Served> {
  const role = roleProfile(name, values, context.env);
  return cachedOrFetch(role.cacheFile, name, context, roleCacheClaim(role.roleArn), async (seenText) => (await import('./role-activation.js')).activateRole(role, seenText, context));
}

