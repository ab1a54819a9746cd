// IAM Identity Center's SSO OIDC CreateToken with a refresh token (grant type refresh_token,
// unsigned), through the SDK's nested sso-oidc client on the one transport, the answer checked, as
// botocore's SSOTokenProvider._refresh_access_token makes the call (botocore/tokens.py). Writing the
// new token, the lock and when to refresh are the SSO source's (credential-sources/sso-token.ts).
import { oidcEndpoint } from '../aws-transport/endpoints.js';
import type { Trace } from '../support/trace.js';
import { RefreshFailed, RefreshRefused } from './refresh-outcome.js';
import { isCredentialText } from '../support/credential-text.js';

/** The longest session Identity Center can be configured for; an access token never outlives it. */
const MAX_TOKEN_SECONDS = 90 * 86400;

/** Errors meaning the grant or the registration is over: only `aws sso login` helps. */
const REFUSALS: Record<string, string> = {
  InvalidGrantException: 'the SSO session has ended (InvalidGrantException)',
  InvalidClientException: 'the client registration is no longer accepted (InvalidClientException)',
  UnauthorizedClientException: 'the client registration may not refresh (UnauthorizedClientException)',
  AccessDeniedException: 'Identity Center refused the refresh (AccessDeniedException)',
  ExpiredTokenException: 'the refresh token has expired (ExpiredTokenException)',
};

export interface CreateTokenCall {
  /** The profile whose ca_bundle applies. */
  profile: string;
  /** The sso-session, for traces. */
  sessionName: string | undefined;
  /** The sso-session's region. */
  region: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  env: NodeJS.ProcessEnv;
  trace: Trace;
}

/** The checked answer: a new access token, its lifetime in seconds, and the rotated refresh token if any. */
export interface CreatedToken {
  accessToken: string;
  expiresIn: number;
  refreshToken?: string;
}

/** CreateToken; throws RefreshRefused when the grant or registration is over, RefreshFailed for anything else. */
export async function createToken(call: CreateTokenCall): Promise<CreatedToken> {
  const { env, trace } = call;
  const endpoint = oidcEndpoint(env);
  const [{ awsNetwork }, { nestedClientSettings, sendWithin, sdkFailureReason, SDK_CALL_DEADLINE_MS }, { SSOOIDCClient, CreateTokenCommand }] = await Promise.all([
    import('../aws-transport/aws-network.js'),
    import('../aws-transport/sdk-client.js'),
    import('@aws-sdk/nested-clients/sso-oidc'),
  ]);
  const network = await awsNetwork({ env, profile: call.profile, trace });
  const client = new SSOOIDCClient(await nestedClientSettings({ network, region: call.region, endpoint }));
  const started = Date.now();
  let answer;
  try {
    answer = await sendWithin(SDK_CALL_DEADLINE_MS, (abortSignal) =>
      client.send(new CreateTokenCommand({ grantType: 'refresh_token', clientId: call.clientId, clientSecret: call.clientSecret, refreshToken: call.refreshToken }), { abortSignal }),
    );
  } catch (error) {
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && REFUSALS[name]) throw new RefreshRefused(REFUSALS[name]!);
    throw new RefreshFailed(`SSO OIDC${endpoint ? ` at ${endpoint}` : ''}: ${sdkFailureReason(error)}`);
  } finally {
    client.destroy();
  }
  trace(`SSO OIDC CreateToken for sso-session "${call.sessionName}" took ${Date.now() - started} ms`);
  const { accessToken, expiresIn, refreshToken } = answer;
  const refuse = (why: string) => new RefreshFailed(`SSO OIDC answered ${why}; not used`);
  if (typeof accessToken !== 'string' || typeof expiresIn !== 'number') throw refuse('without an access token and its lifetime');
  if (!isCredentialText(accessToken) || (refreshToken !== undefined && !isCredentialText(refreshToken))) {
    throw refuse('with a token holding characters no token has');
  }
  if (!Number.isInteger(expiresIn) || expiresIn <= 0 || expiresIn > MAX_TOKEN_SECONDS) throw refuse(`with a token that lasts ${String(expiresIn).slice(0, 20)} s`);
  return { accessToken, expiresIn, ...(refreshToken !== undefined ? { refreshToken } : {}) };
}
