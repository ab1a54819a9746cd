// The sign-in service's CreateOAuth2Token (`POST /v1/token`, grant type refresh_token, unsigned)
// through the SDK's nested signin client on the one transport, proved with a DPoP proof per attempt
// (dpop-proof.ts) for the URL actually requested, the answer checked: as botocore's
// LoginCredentialFetcher and the JS SDK's login provider make the call. Writing the new
// credentials, the lock and when to refresh are the login source's
// (credential-sources/login-refresh.ts).
import type { KeyObject } from 'node:crypto';
import { signInEndpoint } from '../aws-transport/endpoints.js';
import type { Trace } from '../support/trace.js';
import { dpopProof } from './dpop-proof.js';
import { RefreshFailed, RefreshRefused } from './refresh-outcome.js';
import { isCredentialText, looksLikeCredentials } from '../support/credential-text.js';

/** `aws login` sessions last at most 12 hours; credentials never outlive them. */
const MAX_CREDENTIAL_SECONDS = 12 * 3600;

/** What the sign-in service's AccessDeniedException `error` values mean (botocore, the JS SDK). */
const REFUSALS: Record<string, string> = {
  TOKEN_EXPIRED: 'the sign-in session has ended (TOKEN_EXPIRED)',
  USER_CREDENTIALS_CHANGED: 'the password was changed since `aws login` (USER_CREDENTIALS_CHANGED)',
  INSUFFICIENT_PERMISSIONS: 'the signed-in identity lacks the permission signin:CreateOAuth2Token (INSUFFICIENT_PERMISSIONS): an administrator must grant it',
};

export interface CreateOAuth2TokenCall {
  /** The profile, for traces and its ca_bundle. */
  profile: string;
  /** The sign-in region (the endpoint rules' input, when no AWS_ENDPOINT_URL_SIGNIN). */
  region: string;
  clientId: string;
  refreshToken: string;
  /** The key `aws login` bound the session to: it signs the DPoP proofs. */
  key: KeyObject;
  env: NodeJS.ProcessEnv;
  trace: Trace;
}

/** The checked answer: new credentials, the rotated refresh token, their lifetime in seconds. */
export interface CreatedOAuth2Token {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  refreshToken: string;
  expiresIn: number;
}

interface HttpRequestLike {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  headers: Record<string, string>;
}

/** CreateOAuth2Token; throws RefreshRefused when the service says the session is over, RefreshFailed for anything else. */
export async function createOAuth2Token(call: CreateOAuth2TokenCall): Promise<CreatedOAuth2Token> {
  const { env, trace, region } = call;
  const endpoint = signInEndpoint(env);
  const [{ awsNetwork }, { nestedClientSettings, sendWithin, sdkFailureReason, SDK_CALL_DEADLINE_MS }, { SigninClient, CreateOAuth2TokenCommand }] = await Promise.all([
    import('../aws-transport/aws-network.js'),
    import('../aws-transport/sdk-client.js'),
    import('@aws-sdk/nested-clients/signin'),
  ]);
  const network = await awsNetwork({ env, profile: call.profile, trace });
  // Unsigned: the SDK's signer is handed empty credentials, as the JS SDK's provider does.
  const client = new SigninClient({ ...(await nestedClientSettings({ network, region, endpoint })), credentials: { accessKeyId: '', secretAccessKey: '' } });
  // The proof names the URL as sent (the endpoint rules' or the override), made per attempt.
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as HttpRequestLike;
      const url = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}`;
      request.headers = { ...request.headers, DPoP: dpopProof(call.key, request.method, url, new Date()) };
      return next(args);
    },
    { step: 'finalizeRequest', name: 'ccHelperDpop', override: true },
  );
  const started = Date.now();
  let answer;
  try {
    answer = await sendWithin(SDK_CALL_DEADLINE_MS, (abortSignal) =>
      client.send(new CreateOAuth2TokenCommand({ tokenInput: { clientId: call.clientId, refreshToken: call.refreshToken, grantType: 'refresh_token' } }), { abortSignal }),
    );
  } catch (error) {
    const { name, error: code } = error as { name?: unknown; error?: unknown };
    if (name === 'AccessDeniedException') {
      const known = typeof code === 'string' ? REFUSALS[code] : undefined;
      throw new RefreshRefused(known ?? `the sign-in service refused the refresh (AccessDeniedException${typeof code === 'string' && /^[A-Z_]{1,64}$/.test(code) ? `: ${code}` : ''})`);
    }
    throw new RefreshFailed(`the sign-in service${endpoint ? ` at ${endpoint}` : ` in ${region}`}: ${sdkFailureReason(error)}`);
  } finally {
    client.destroy();
  }
  trace(`sign-in CreateOAuth2Token for profile "${call.profile}" (region ${region}) took ${Date.now() - started} ms`);
  const output = answer.tokenOutput;
  const credentials = output?.accessToken;
  const refuse = (why: string) => new RefreshFailed(`the sign-in service answered ${why}; not used`);
  if (!output || !credentials || typeof credentials.accessKeyId !== 'string' || typeof credentials.secretAccessKey !== 'string' || typeof credentials.sessionToken !== 'string' || typeof output.refreshToken !== 'string' || typeof output.expiresIn !== 'number') {
    throw refuse('without the credentials, refresh token and lifetime a refresh returns');
  }
  if (!looksLikeCredentials(credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken) || !isCredentialText(output.refreshToken)) {
    throw refuse('with credentials or a refresh token holding characters no AWS credential has');
  }
  const { expiresIn } = output;
  if (!Number.isInteger(expiresIn) || expiresIn <= 0 || expiresIn > MAX_CREDENTIAL_SECONDS) throw refuse(`with credentials that last ${String(expiresIn).slice(0, 20)} s`);
  return {
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
    refreshToken: output.refreshToken,
    expiresIn,
  };
}
