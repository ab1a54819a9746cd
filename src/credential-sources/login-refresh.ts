// Refreshing `aws login` credentials (login-profile.ts found them within 5 minutes of their end):
// the sign-in service's CreateOAuth2Token (`POST /v1/token`, grant type refresh_token, unsigned)
// through the SDK's nested signin client, proved with a DPoP proof made from the cache's key
// (the call: aws-clients/signin-client.ts), as botocore's LoginCredentialFetcher and the JS SDK's login provider do it,
// under refresh-discipline.ts's lock, re-read, write-back and failure rule. The JS SDK's
// provider itself is not used: it rewrites the file in place, without a lock or a mode.
//
// Where: AWS_ENDPOINT_URL_SIGNIN (as AWS_ENDPOINT_URL_SSO for the portal), else the SDK's
// endpoint rules for the region: the token's signInRegion when it names one (the JS SDK's first
// choice: where the session lives), else the region botocore's session has (AWS_REGION,
// AWS_DEFAULT_REGION, then the profile's region, which `aws login` writes when it is missing).
// Written back as botocore writes it: the file's keys kept, `accessToken` replaced by the new
// credentials with the old accountId and `expiresAt = now + expiresIn`, the new refreshToken.
import { basename, join } from 'node:path';
import { writeCacheFile } from '../aws-files/cli-cache.js';
import { RefreshFailed } from '../aws-clients/refresh-outcome.js';
import { createOAuth2Token as createOAuth2TokenCall } from '../aws-clients/signin-client.js';
import { ccHelperConfigDir } from '../support/config-dir.js';
import { profileOption } from '../support/shell-word.js';
import { isoSeconds } from '../support/utc-time.js';
import { warning } from '../support/warning.js';
import { dpopKey } from '../aws-clients/dpop-proof.js';
import { refreshedUnderLock, type SignInRead } from './refresh-discipline.js';
import type { Served, SourceContext } from './resolved.js';
import { LOGIN_REFRESH_WINDOW_SECONDS, loginAccount, loginNeeded, readLoginCache, type LoginProfile, type LoginToken } from './login-cache.js';
import { isCredentialText } from '../support/credential-text.js';

const REGION = /^[a-z0-9]+(?:-[a-z0-9]+)+$/;

export async function refreshLogin(login: LoginProfile, seen: SignInRead<LoginToken>, context: SourceContext): Promise<Served> {
  const { env, trace } = context;
  const refreshed = await refreshedUnderLock<LoginToken>(
    {
      who: `profile "${login.name}"`,
      what: 'the credentials of `aws login`',
      command: `aws login ${profileOption(login.name)}`,
      missing: `there is no aws login session for ${login.session} in ${login.cacheDir}`,
      signInAgain: (why) => loginNeeded(login.name, why),
      lockPath: loginLockPath(login, env),
      read: () => readLoginCache(login, env.HOME),
      expiresAt: (token) => token.credentials.expiration,
      windowSeconds: LOGIN_REFRESH_WINDOW_SECONDS,
      notRefreshable,
      refresh: (token) => createOAuth2Token(login, token, context),
      write: (token) => writeCacheFile(login.cacheFile, login.cacheDir, token.document),
      trace,
      now: () => new Date(),
    },
    seen,
  );
  if (refreshed.fellBack) warning(refreshed.fellBack.warning);
  const token = refreshed.value;
  const account = loginAccount(login, token, `the aws login cache ${login.cacheFile}`);
  return { credentials: token.credentials, ...(account ? { account } : {}) };
}

/** One lock per cache file: its name is the file's (the sha256 of login_session). */
export function loginLockPath(login: LoginProfile, env: NodeJS.ProcessEnv): string {
  return join(ccHelperConfigDir(env), 'locks', `login-${basename(login.cacheFile, '.json')}.lock`);
}

function notRefreshable(token: LoginToken): string | undefined {
  const { refreshToken, clientId, dpopKey: pem } = token.document;
  if (!isCredentialText(refreshToken) || !isCredentialText(clientId)) return 'its refreshToken or clientId is unreadable';
  if (typeof pem !== 'string') return 'its DPoP key (dpopKey) is unreadable';
  try {
    dpopKey(pem);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

/** The region the refresh goes to (see the module comment). */
function signInRegion(login: LoginProfile, token: LoginToken, env: NodeJS.ProcessEnv): string {
  const fromToken = token.document.signInRegion;
  if (typeof fromToken === 'string' && REGION.test(fromToken)) return fromToken;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || login.region;
  // Not the service's fault, but the same rule: credentials that still serve, serve.
  if (!region) throw new RefreshFailed(`the profile has no region, which the refresh needs: set region in the profile (\`aws login\` writes it) or AWS_REGION`);
  if (!REGION.test(region)) throw new RefreshFailed(`"${region.slice(0, 40)}" is not an AWS region name: fix the region of the profile or AWS_REGION`);
  return region;
}

/** CreateOAuth2Token with the refresh token and a DPoP proof; the new token (not yet written). */
async function createOAuth2Token(login: LoginProfile, token: LoginToken, context: SourceContext): Promise<LoginToken> {
  const { env, trace } = context;
  const { clientId, refreshToken } = token.document as Record<string, string>;
  const key = dpopKey(token.document.dpopKey as string);
  const region = signInRegion(login, token, env);
  const output = await createOAuth2TokenCall({ profile: login.name, region, clientId: clientId!, refreshToken: refreshToken!, key, env, trace });
  const { credentials, expiresIn } = output;
  // As botocore writes it: the whole accessToken replaced (accountId kept), the refresh token rotated.
  const expiration = new Date(Math.floor(Date.now() / 1000 + expiresIn) * 1000);
  const document = {
    ...token.document,
    accessToken: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      accountId: token.accountId,
      expiresAt: isoSeconds(expiration),
    },
    refreshToken: output.refreshToken,
  };
  trace(`profile "${login.name}": aws login credentials refreshed, valid until ${isoSeconds(expiration)}`);
  return {
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken, expiration },
    accountId: token.accountId,
    document,
  };
}
