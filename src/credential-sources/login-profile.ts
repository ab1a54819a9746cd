// `aws login` profiles (`login_session = <ARN>`, AWS CLI 2.32+), read as botocore's LoginProvider
// reads them: the credentials the CLI cached in $AWS_LOGIN_CACHE_DIRECTORY (or
// ~/.aws/login/cache), in `<sha256 hex of the login_session value>.json`. This is the warm path
// and lives in the hot bundle: credentials with more than 5 minutes left (both SDKs' threshold)
// sign at once, with no lock, no SDK, no network and no node:crypto (the key is hashed with
// cc-helper's own SHA-256). Refreshing them (a DPoP-proved call to the sign-in service) is
// login-refresh.ts, loaded only then.
// The cache file and the proof it carries: login-cache.ts.
import { isoSeconds } from '../support/utc-time.js';
import { LOGIN_REFRESH_WINDOW_SECONDS, loginAccount, loginNeeded, loginProfile, readLoginCache } from './login-cache.js';
import type { Served, SourceContext } from './resolved.js';

export async function loadLoginCredentials(name: string, values: Record<string, string>, context: SourceContext): Promise<Served> {
  const login = loginProfile(name, values, context.env);
  const seen = readLoginCache(login, context.env.HOME);
  if (seen.status === 'read') {
    const { expiration } = seen.value.credentials;
    if (expiration.getTime() - context.now.getTime() > LOGIN_REFRESH_WINDOW_SECONDS * 1000) {
      context.trace(`profile "${name}": aws login cache ${login.cacheFile} is fresh until ${isoSeconds(expiration)}`);
      const account = loginAccount(login, seen.value, `the aws login cache ${login.cacheFile}`);
      return { credentials: seen.value.credentials, ...(account ? { account } : {}) };
    }
  } else if (seen.status === 'missing') {
    throw loginNeeded(name, `there is no aws login session for ${login.session} in ${login.cacheDir}`);
  } else {
    throw loginNeeded(name, seen.why);
  }
  const { refreshLogin } = await import('./login-refresh.js');
  return refreshLogin(login, seen, context);
}
