// The IAM Identity Center portal's GetRoleCredentials: GET /federation/credentials?account_id=…&
// role_name=…, header x-amz-sso_bearer_token (a REST-JSON API, unsigned), through the one transport
// (proxy, CA bundle, bounded answer, timeout), the answer checked. When to call it, the lock and the
// cache are the SSO source's (credential-sources/sso-portal.ts).
// https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
import type { SigningCredentials } from '../codecommit/password.js';
import { awsNetwork } from '../aws-transport/aws-network.js';
import { fetchBounded } from '../aws-transport/bounded-answer.js';
import { portalEndpoint } from '../aws-transport/endpoints.js';
import { DEFAULT_TIMEOUT_MS, MAX_RESPONSE_BYTES } from '../aws-transport/query-api.js';
import { classifyNetworkError } from '../aws-transport/query-error.js';
import { UserError } from '../support/errors.js';
import { redactServerText } from '../support/redact.js';
import type { Trace } from '../support/trace.js';
import { cappedExpiration, expiryProblem } from './sts-client.js';
import { looksLikeCredentials } from '../support/credential-text.js';

/** The longest session a permission set can have. */
const MAX_SSO_SESSION_SECONDS = 12 * 3600;

export interface RoleCredentialsCall {
  /** The profile, for messages. */
  profile: string;
  accountId: string;
  roleName: string;
  /** The portal's region (sso_region). */
  ssoRegion: string;
  /** The access token `aws sso login` cached. */
  token: string;
  env: NodeJS.ProcessEnv;
  trace: Trace;
}

export type RoleCredentialsAnswer =
  | { status: 'issued'; credentials: SigningCredentials & { sessionToken: string; expiration: Date } }
  /** HTTP 401: the portal no longer accepts the token. */
  | { status: 'unauthorized' };

export async function getRoleCredentials(call: RoleCredentialsCall): Promise<RoleCredentialsAnswer> {
  const { env, trace, token } = call;
  const endpoint = portalEndpoint(call.ssoRegion, env);
  const url = `${endpoint}federation/credentials?account_id=${encodeURIComponent(call.accountId)}&role_name=${encodeURIComponent(call.roleName)}`;
  trace(`SSO GetRoleCredentials -> ${endpoint} for account ${call.accountId}, role ${call.roleName}`);
  let status: number;
  let text: string;
  // Through HTTPS_PROXY / NO_PROXY and the CA bundle, as every other AWS call.
  const network = await awsNetwork({ env, profile: call.profile, trace });
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
    throw new UserError(`cannot get SSO credentials for profile "${call.profile}" from ${endpoint} (${what}): check your network, HTTPS_PROXY or AWS_ENDPOINT_URL_SSO`);
  }
  if (status === 401) return { status: 'unauthorized' };
  if (status < 200 || status >= 300) {
    const said = redactServerText(portalMessage(text), [token]);
    throw new UserError(
      `the SSO portal refused credentials for profile "${call.profile}" (HTTP ${status}${said ? `: ${said}` : ''}): check that your user may use role ${call.roleName} in account ${call.accountId}`,
    );
  }
  return { status: 'issued', credentials: roleCredentials(text, call, endpoint) };
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

function roleCredentials(text: string, call: RoleCredentialsCall, endpoint: string): SigningCredentials & { sessionToken: string; expiration: Date } {
  const refuse = (why: string) => new UserError(`the SSO portal at ${endpoint} answered for profile "${call.profile}" ${why}; refused it: check AWS_ENDPOINT_URL_SSO`);
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
