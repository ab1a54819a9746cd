// An IAM Identity Center (SSO) profile's settings, read as botocore's SSOProvider reads them
// (botocore/credentials.py, SSOProvider._load_sso_config: the profile, or its [sso-session]),
// the AWS CLI role-credential cache file they name, and what such a file must hold to be used
// (ssoCacheClaim). Shared by the warm path (sso-profile.ts), the portal call (sso-portal.ts), the
// token refresh (sso-token.ts) and doctor.
import { join } from 'node:path';
import { readSsoSession } from '../aws-files/profile.js';
import { sharedFilePaths } from '../aws-files/shared-files.js';
import { UserError } from '../support/errors.js';
import { cliCacheDir, ssoRoleCacheKey } from '../aws-files/cli-cache.js';
import type { CacheClaim } from './cache-claim.js';

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
