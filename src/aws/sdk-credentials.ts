// Profiles that need more than static keys (role, SSO, credential_process, web identity) are
// resolved by the AWS SDK. This module is imported lazily: loading the SDK costs more than the
// whole static path.
import type { SigningCredentials } from '../codecommit/password.js';
import { awsNetwork } from '../net/aws-network.js';
import { createAsk } from '../prompt/ask.js';
import { classifyNetworkError } from '../sts/sts-error.js';
import { UserError } from '../support/errors.js';
import type { Trace } from '../support/trace.js';
import type { ProfileCredentials, SdkKind } from './profile-credentials.js';
import { sharedFilePaths } from './shared-files.js';

export async function loadWithSdk(
  name: string,
  kind: SdkKind,
  { env, now, trace }: { env: NodeJS.ProcessEnv; now: Date; trace: Trace },
): Promise<ProfileCredentials> {
  // The SDK warns on stderr about future Node versions; a credential helper's stderr reaches
  // the user on every git command, and the versions pinned in package.json run on Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { fromIni } = await import('@aws-sdk/credential-providers');
  // Proxy and CA bundle (src/net/aws-network.ts): the SDK's STS/SSO clients send through fetch
  // with the same dispatcher as cc-helper's own client.
  const network = await awsNetwork({ env, profile: name, trace });
  const clientConfig = network.dispatcher ? { requestHandler: new (await import('@smithy/fetch-http-handler')).FetchHttpHandler({ customFetch: network.fetch }) } : undefined;
  const paths = sharedFilePaths(env);
  const ask = createAsk({ env, fallbackHint: `get credentials for profile "${name}" another way (e.g. \`cc-helper session start ${name}\`) and try again` });
  const started = Date.now();
  let resolved;
  try {
    resolved = await fromIni({
      profile: name,
      filepath: paths.credentialsFile,
      configFilepath: paths.configFile,
      ignoreCache: true,
      ...(clientConfig ? { clientConfig } : {}),
      mfaCodeProvider: (serial) => ask(`MFA code for ${serial} (profile ${name}): `),
    })();
  } catch (error) {
    throw explain(name, kind, error);
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
  const network = classifyNetworkError(error);
  if (network.tls) {
    return new UserError(
      `cannot get credentials for profile "${name}" (${kind}): the TLS certificate of an AWS endpoint cannot be verified (${network.code}); ` +
        'behind a TLS-inspecting proxy, point AWS_CA_BUNDLE, the profile\'s ca_bundle or NODE_EXTRA_CA_CERTS at its CA certificate (PEM)',
    );
  }
  if (kind === 'sso' || /sso/i.test(message)) {
    return new UserError(`profile "${name}" needs an SSO login: run \`aws sso login --profile ${name}\` and try again`);
  }
  if (/mfa/i.test(message)) {
    return new UserError(`profile "${name}" needs an MFA code and none could be asked for: run \`cc-helper session start ${name}\` in a terminal`);
  }
  const firstLine = message.split('\n', 1)[0]!.slice(0, 200);
  return new UserError(`cannot get credentials for profile "${name}" (${kind}): ${firstLine}`);
}
