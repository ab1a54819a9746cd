// An SSO profile's role credentials from the IAM Identity Center portal, when the AWS CLI cache
// has none fresh: one process at a time per role (the others wait and use its result), the access
// token that `aws sso login` cached in ~/.aws/sso/cache (refreshed when due: sso-token.ts), one
// GetRoleCredentials call (aws-clients/sso-portal-client.ts), and the answer cached where and as
// the AWS CLI caches it.
import { basename, join } from 'node:path';
import { getRoleCredentials } from '../aws-clients/sso-portal-client.js';
import { RENEW_MARGIN_SECONDS } from '../codecommit/renewal.js';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { mask } from '../support/trace.js';
import { warning } from '../support/warning.js';
import { loginNeeded, ssoAccessToken } from './sso-token.js';
import { formatCacheTime, writeCacheFile } from '../aws-files/cli-cache.js';
import { withSharedAttempt } from './shared-attempt.js';
import { reusableAfterWait } from './cache-claim.js';
import type { Served, SourceContext } from './resolved.js';
import { ssoCacheClaim, type SsoProfile } from './sso-settings.js';

export async function fetchSsoRoleCredentials(sso: SsoProfile, seenText: string | undefined, context: SourceContext): Promise<Served> {
  const { env, trace } = context;
  const lockPath = join(ccHelperConfigDir(env), 'locks', `sso-${basename(sso.cacheFile, '.json')}.lock`);
  return withSharedAttempt(lockPath, `fetching SSO credentials for profile "${sso.name}"`, trace, async () => {
    const reusable = reusableAfterWait(sso.cacheFile, seenText, RENEW_MARGIN_SECONDS, env.HOME, ssoCacheClaim(sso), trace);
    if (reusable) return reusable;
    // The token, refreshed first when due (credential-sources/sso-token.ts: its own lock, inside this one).
    const { token, fellBack } = await ssoAccessToken(sso, context);
    const answer = await getRoleCredentials({ profile: sso.name, accountId: sso.accountId, roleName: sso.roleName, ssoRegion: sso.ssoRegion, token, env, trace });
    if (answer.status === 'unauthorized') throw loginNeeded(sso.name, `the SSO portal no longer accepts the login${fellBack ? `, and refreshing it failed: ${fellBack.reason}` : ''}`);
    const issued = answer.credentials;
    if (fellBack) warning(fellBack.warning);
    trace(`SSO credentials for "${sso.name}": key ${mask(issued.accessKeyId)} until ${issued.expiration.toISOString()}`);
    try {
      // SSOCredentialFetcher's shape: the expiry as `%Y-%m-%dT%H:%M:%SZ`.
      writeCacheFile(sso.cacheFile, sso.cacheDir, {
        ProviderType: 'sso',
        Credentials: {
          AccessKeyId: issued.accessKeyId,
          SecretAccessKey: issued.secretAccessKey,
          SessionToken: issued.sessionToken,
          Expiration: formatCacheTime(issued.expiration).replace(/UTC$/, 'Z'),
          AccountId: sso.accountId,
        },
      });
    } catch (error) {
      trace(`cannot write ${sso.cacheFile}: ${(error as Error).message}`);
    }
    // The portal was asked for exactly this account's role, and these keys are its answer.
    return { credentials: issued, account: { id: sso.accountId, from: `the SSO portal's GetRoleCredentials for account ${sso.accountId}, role ${sso.roleName}, just now` } };
  });
}
