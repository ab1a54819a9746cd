// Profiles that need more than static keys (role, SSO, credential_process, web identity) are
// resolved by the AWS SDK. This module is imported lazily: loading the SDK costs more than the
// whole static path.
import type { SigningCredentials } from '../codecommit/password.js';
import { createAsk } from '../prompt/ask.js';
import { UserError } from '../support/errors.js';
import type { Trace } from '../support/trace.js';
import type { ProfileCredentials, SdkKind } from './profile-credentials.js';
import { DEFAULT_TIMEOUT_MS } from './query-api.js';
import { sharedFilePaths } from './shared-files.js';

/** The SDK's clients make at most two attempts of DEFAULT_TIMEOUT_MS each; this bounds the rest. */
const SDK_DEADLINE_MS = 3 * DEFAULT_TIMEOUT_MS;

export async function loadWithSdk(
  name: string,
  kind: SdkKind,
  { env, now, trace, values }: { env: NodeJS.ProcessEnv; now: Date; trace: Trace; values: Record<string, string> },
): Promise<ProfileCredentials> {
  // The SDK warns on stderr about future Node versions; a credential helper's stderr reaches
  // the user on every git command, and the versions pinned in package.json run on Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { fromIni } = await import('@aws-sdk/credential-providers');
  const paths = sharedFilePaths(env);
  const ask = createAsk({ env, fallbackHint: `get credentials for profile "${name}" another way (e.g. \`cc-helper session start ${name}\`) and try again` });
  const started = Date.now();
  let resolved;
  let timer: NodeJS.Timeout | undefined;
  try {
    // Bounded twice: the SDK's own clients (STS, SSO) time out each request, and the whole
    // resolution (retries included) has a deadline, so git never waits on a silent endpoint.
    // A person typing an MFA code is not the network: the deadline starts again after the prompt.
    let arm = () => {};
    const overall = new Promise<never>((_, reject) => {
      arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          reject(new UserError(`cannot get credentials for profile "${name}" (${kind}): no answer within ${SDK_DEADLINE_MS / 1000} s; check your network`));
          // The SDK's request may still hold a socket open; git waits for this process to end,
          // so once the answer (quit=1) is out, nothing may keep it alive.
          setTimeout(() => process.exit(), 2_000).unref();
        }, SDK_DEADLINE_MS);
      };
      arm();
    });
    // Web identity reads parentClientConfig, the others clientConfig; a region given here also
    // keeps the SDK from warning on stderr that it picked us-east-1.
    const clientConfig = {
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || values.region || 'us-east-1',
      requestHandler: { requestTimeout: DEFAULT_TIMEOUT_MS, connectionTimeout: DEFAULT_TIMEOUT_MS, throwOnRequestTimeout: true },
      maxAttempts: 2,
    };
    resolved = await Promise.race([
      fromIni({
        profile: name,
        filepath: paths.credentialsFile,
        configFilepath: paths.configFile,
        ignoreCache: true,
        mfaCodeProvider: async (serial) => {
          clearTimeout(timer);
          try {
            return await ask(`MFA code for ${serial} (profile ${name}): `);
          } finally {
            arm();
          }
        },
        clientConfig,
        parentClientConfig: clientConfig,
      } as Parameters<typeof fromIni>[0])(),
      overall,
    ]);
  } catch (error) {
    throw explain(name, kind, error);
  } finally {
    clearTimeout(timer);
  }
  trace(`the SDK resolved profile "${name}" (${kind}) in ${Date.now() - started} ms`);
  const credentials: SigningCredentials = {
    accessKeyId: resolved.accessKeyId,
    secretAccessKey: resolved.secretAccessKey,
  };
  if (resolved.sessionToken) credentials.sessionToken = resolved.sessionToken;
  if (resolved.expiration) {
    if (resolved.expiration.getTime() <= now.getTime()) {
      throw new UserError(`the credentials the SDK returned for profile "${name}" expired at ${resolved.expiration.toISOString()}: refresh them and try again`);
    }
    credentials.expiration = resolved.expiration;
  }
  return { credentials, source: kind };
}

/** SDK errors are long and multi-line; turn them into the one line that says what to run. */
function explain(name: string, kind: SdkKind, error: unknown): Error {
  if (error instanceof UserError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (kind === 'sso' || /sso/i.test(message)) {
    return new UserError(`profile "${name}" needs an SSO login: run \`aws sso login --profile ${name}\` and try again`);
  }
  if (/mfa/i.test(message)) {
    return new UserError(`profile "${name}" needs an MFA code and none could be asked for: run \`cc-helper session start ${name}\` in a terminal`);
  }
  const firstLine = message.split('\n', 1)[0]!.slice(0, 200);
  return new UserError(`cannot get credentials for profile "${name}" (${kind}): ${firstLine}`);
}
