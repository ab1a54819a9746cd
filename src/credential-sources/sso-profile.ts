// IAM Identity Center (SSO) profiles with the AWS CLI's role-credential cache: fresh credentials
// in ~/.aws/cli/cache sign at once, without the SDK or the network. Otherwise sso-portal.ts asks
// the SSO portal with the token `aws sso login` left in ~/.aws/sso/cache. A cache file is used
// only when the account it names (if it names one) is the profile's sso_account_id: that account
// is then what the pin is checked against.
import { cachedOrFetch } from './cache-claim.js';
import type { Served, SourceContext } from './resolved.js';
import { ssoCacheClaim, ssoProfile } from './sso-settings.js';

export async function loadSsoCredentials(name: string, values: Record<string, string>, context: SourceContext): Promise<Served> {
  const sso = ssoProfile(name, values, context.env);
  return cachedOrFetch(sso.cacheFile, name, context, ssoCacheClaim(sso), async (seenText) => (await import('./sso-portal.js')).fetchSsoRoleCredentials(sso, seenText, context));
}

