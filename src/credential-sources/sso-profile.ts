// IAM Identity Center (SSO) profiles, read as botocore's SSOProvider reads them, with the AWS
// CLI's role-credential cache: fresh credentials in ~/.aws/cli/cache sign at once, without the
// SDK or the network. Otherwise sso-portal.ts asks the SSO portal with the token `aws sso
// login` left in ~/.aws/sso/cache. A cache file is used only when the account it names (if it
// names one) is the profile's sso_account_id: that account is then what the pin is checked against.
import { join } from 'node:path';
import { readSsoSession } from '../credentials/profile-credentials.js';
import { sharedFilePaths } from '../aws-files/shared-files.js';
import { UserError } from '../support/errors.js';
import type { RoleContext } from './role-profile.js';
import { cachedOrFetch, cliCacheDir, ssoRoleCacheKey, type CacheClaim, type Served } from '../aws-files/cli-cache.js';

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

export async function loadSsoCredentials(name: string, values: Record<string, string>, context: RoleContext): Promise<Served> {
  const sso = ssoProfile(name, values, context.env);
  return cachedOrFetch(sso.cacheFile, name, context, ssoCacheClaim(sso), async (seenText) => (await import('./sso-portal.js')).fetchSsoRoleCredentials(sso, seenText, context));
}

/**
 * An SSO role cache file's name is the hash of the account, role and session it was fetched for;
 * what it holds agrees when its Credentials.AccountId (botocore >= 1.35 writes it; AWS CLI v2.9
 * does not) is that account. The file is then the portal's answer for that account.
 */
export function ssoCacheClaim(sso: Pick<SsoProfile, 'accountId' | 'roleName'>): CacheClaim {
  return (document, file) => {
    const accountId = (document.Credentials as { AccountId?: unknown }).AccountId;
    if (accountId !== undefined && accountId !== sso.accountId) {
      return { mismatch: `it holds credentials of account ${JSON.stringify(String(accountId).slice(0, 20))}, not of sso_account_id ${sso.accountId}` };
    }
    return { account: { id: sso.accountId, from: `the AWS CLI cache ${file} (the SSO portal's credentials for account ${sso.accountId}, role ${sso.roleName})` } };
  };
}
