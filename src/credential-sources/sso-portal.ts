// An SSO profile's role credentials from the IAM Identity Center portal: the access token that
// `aws sso login` cached in ~/.aws/sso/cache (refreshed when due: credential-sources/sso-token.ts), one
// GetRoleCredentials call
// (GET /federation/credentials?account_id=…&role_name=…, header x-amz-sso_bearer_token; a
// REST-JSON API, unsigned), and the answer cached where and as the AWS CLI caches it.
// https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
import { basename, join } from 'node:path';
import { DEFAULT_TIMEOUT_MS, MAX_RESPONSE_BYTES } from '../aws-transport/query-api.js';
import type { SigningCredentials } from '../codecommit/password.js';
import { awsNetwork } from '../aws-transport/aws-network.js';
import { fetchBounded } from '../aws-transport/bounded-answer.js';
import { RENEW_MARGIN_SECONDS } from '../codecommit/renewal.js';
import { classifyNetworkError } from '../aws-transport/query-error.js';
import { redactServerText } from '../support/redact.js';
import { checkedEndpointUrl } from '../aws-transport/endpoints.js';
import { cappedExpiration, expiryProblem, looksLikeCredentials } from '../aws-clients/sts-client.js';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { UserError } from '../support/errors.js';
import { mask } from '../support/trace.js';
import { warning } from '../support/warning.js';
import { loginNeeded, ssoAccessToken } from './sso-token.js';
import { formatCacheTime, writeCacheFile } from '../aws-files/cli-cache.js';
import { withSharedAttempt } from './shared-attempt.js';
import { reusableAfterWait } from './cache-claim.js';
import type { Served, SourceContext } from './resolved.js';
import { ssoCacheClaim, type SsoProfile } from './sso-settings.js';

/** The longest session a permission set can have. */
const MAX_SSO_SESSION_SECONDS = 12 * 3600;

export async function fetchSsoRoleCredentials(sso: SsoProfile, seenText: string | undefined, context: SourceContext): Promise<Served> {
  const { env, trace } = context;
  const lockPath = join(ccHelperConfigDir(env), 'locks', `sso-${basename(sso.cacheFile, '.json')}.lock`);
  return withSharedAttempt(lockPath, `fetching SSO credentials for profile "${sso.name}"`, trace, async () => {
    const reusable = reusableAfterWait(sso.cacheFile, seenText, RENEW_MARGIN_SECONDS, env.HOME, ssoCacheClaim(sso), trace);
    if (reusable) return reusable;
    // The token, refreshed first when due (credential-sources/sso-token.ts: its own lock, inside this one).
    const { token, fellBack } = await ssoAccessToken(sso, context);
    const endpoint = portalEndpoint(sso.ssoRegion, env);
    const url = `${endpoint}federation/credentials?account_id=${encodeURIComponent(sso.accountId)}&role_name=${encodeURIComponent(sso.roleName)}`;
    trace(`SSO GetRoleCredentials -> ${endpoint} for account ${sso.accountId}, role ${sso.roleName}`);
    let status: number;
    let text: string;
    // Through HTTPS_PROXY / NO_PROXY and the CA bundle, as every other AWS call.
    const network = await awsNetwork({ env, profile: sso.name, trace });
    try {
      const response = await fetchBounded(network.fetch, url, { headers: { 'x-amz-sso_bearer_token': token } }, { maxBytes: MAX_RESPONSE_BYTES, timeoutMs: DEFAULT_TIMEOUT_MS });
      status = response.status;
      text = response.text;
    } catch (error) {
      const failure = classifyNetworkError(error);
      if (failure.tls) {
        throw new UserError(
          `cannot verify the TLS certificate of the SSO portal at ${endpoint} (${failure.code}): behind a TLS-inspecting proxy, ` +
            `point AWS_CA_BUNDLE (or the profile's ca_bundle) at the proxy's CA${network.ca ? ` (now ${network.ca.source})` : ''}`,
        );
      }
      const what =
        failure.code === 'TimeoutError' ? `no answer within ${DEFAULT_TIMEOUT_MS / 1000} s` : failure.code === 'ResponseTooLarge' ? 'an answer too large to be the portal\'s' : failure.code;
      throw new UserError(`cannot get SSO credentials for profile "${sso.name}" from ${endpoint} (${what}): check your network, HTTPS_PROXY or AWS_ENDPOINT_URL_SSO`);
    }
    if (status === 401) throw loginNeeded(sso.name, `the SSO portal no longer accepts the login${fellBack ? `, and refreshing it failed: ${fellBack.reason}` : ''}`);
    if (status < 200 || status >= 300) {
      const said = redactServerText(portalMessage(text), [token]);
      throw new UserError(
        `the SSO portal refused credentials for profile "${sso.name}" (HTTP ${status}${said ? `: ${said}` : ''}): check that your user may use role ${sso.roleName} in account ${sso.accountId}`,
      );
    }
    const issued = roleCredentials(text, sso, endpoint);
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

function portalEndpoint(region: string, env: NodeJS.ProcessEnv): string {
  const configured = (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true' ? undefined : env.AWS_ENDPOINT_URL_SSO;
  if (configured) return checkedEndpointUrl(configured, 'AWS_ENDPOINT_URL_SSO', 'https://portal.sso.us-east-1.amazonaws.com');
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(region)) throw new UserError(`"${region.slice(0, 40)}" is not an AWS region name: fix sso_region`);
  return `https://portal.sso.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}/`;
}

function portalMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; Message?: unknown };
    const message = body.message ?? body.Message;
    return typeof message === 'string' ? message : '';
  } catch {
    return '';
  }
}

function roleCredentials(text: string, sso: SsoProfile, endpoint: string): SigningCredentials & { sessionToken: string; expiration: Date } {
  const refuse = (why: string) => new UserError(`the SSO portal at ${endpoint} answered for profile "${sso.name}" ${why}; refused it: check AWS_ENDPOINT_URL_SSO`);
  let role: Record<string, unknown> | undefined;
  try {
    role = (JSON.parse(text) as { roleCredentials?: Record<string, unknown> }).roleCredentials;
  } catch {
    role = undefined;
  }
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = role ?? {};
  if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || typeof sessionToken !== 'string' || typeof expiration !== 'number') {
    throw refuse('without the expected fields');
  }
  if (!looksLikeCredentials(accessKeyId, secretAccessKey, sessionToken)) throw refuse('with credentials holding characters no AWS credential has');
  const now = new Date();
  const expires = new Date(expiration);
  const problem = Number.isNaN(expires.getTime()) ? 'have no readable expiry' : expiryProblem(expires, now);
  if (problem) throw refuse(`with credentials that ${problem}`);
  return { accessKeyId, secretAccessKey, sessionToken, expiration: cappedExpiration(expires, now, MAX_SSO_SESSION_SECONDS) };
}
