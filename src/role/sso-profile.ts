// IAM Identity Center (SSO) profiles, read as botocore's SSOProvider reads them, with the AWS
// CLI's role-credential cache: fresh credentials in ~/.aws/cli/cache sign at once, without the
// SDK or the network. Otherwise sso-portal.ts asks the SSO portal with the token `aws sso
// login` left in ~/.aws/sso/cache.
import { join } from 'node:path';
import { readSsoSession } from '../aws/profile-credentials.js';
import { sharedFilePaths } from '../aws/shared-files.js';
import type { SigningCredentials } from '../codecommit/password.js';
import { UserError } from '../support/errors.js';
import type { RoleContext } from './role-profile.js';
import { cachedOrFetch, cliCacheDir, ssoRoleCacheKey } from './cli-cache.js';

export interface SsoProfile {
  name: string;
  accountId: string;
  roleName: string;
  startUrl: string;
  /** The portal's region. */
  ssoRegion: string;
  /** Set when the profile names an [sso-session]; the token cache is keyed by it then. */
  sessionName?: string;
  cacheDir: string;
  cacheFile: string;
}

export function ssoProfile(name: string, values: Record<string, string>, env: NodeJS.ProcessEnv): SsoProfile {
  let settings = values;
  const sessionName = values.sso_session;
  if (sessionName) {
    const configFile = sharedFilePaths(env).configFile;
    const session = readSsoSession(sessionName, configFile, env);
    if (!session) throw new UserError(`profile "${name}" names sso_session "${sessionName}", but ${configFile} has no [sso-session ${sessionName}]: add it (\`aws configure sso\`)`);
    settings = { ...values, ...session };
  }
  const missing = ['sso_start_url', 'sso_region', 'sso_account_id', 'sso_role_name'].filter((k) => !settings[k]);
  if (missing.length) throw new UserError(`profile "${name}" is an SSO profile without ${missing.join(', ')}: complete it with \`aws configure sso --profile ${name}\``);
  const profile: SsoProfile = {
    name,
    accountId: settings.sso_account_id!,
    roleName: settings.sso_role_name!,
    startUrl: settings.sso_start_url!,
    ssoRegion: settings.sso_region!,
    ...(sessionName ? { sessionName } : {}),
    cacheDir: cliCacheDir(env),
    cacheFile: '',
  };
  const key = ssoRoleCacheKey(profile.roleName, profile.accountId, sessionName ? { sessionName } : { startUrl: profile.startUrl });
  profile.cacheFile = join(profile.cacheDir, `${key}.json`);
  return profile;
}

export async function loadSsoCredentials(name: string, values: Record<string, string>, context: RoleContext): Promise<SigningCredentials> {
  const sso = ssoProfile(name, values, context.env);
  return cachedOrFetch(sso.cacheFile, name, context, async (seenText) => (await import('./sso-portal.js')).fetchSsoRoleCredentials(sso, seenText, context));
}
