// `--credentials ambient`: for CI jobs and cloud workloads, the credentials the machine itself
// provides — the standard chain WITHOUT the shared files (no [default], no profile, ever):
//   1. environment keys (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]):
//      GitHub Actions' configure-aws-credentials, any CI secret;
//   2. web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN): EKS IRSA, OIDC jobs;
//   3. container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, with
//      AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)): ECS, CodeBuild, EKS Pod Identity;
//   4. instance metadata, IMDSv2 only (token PUT, then GET): EC2, Cloud9, SageMaker;
//      skipped when AWS_EC2_METADATA_DISABLED=true.
// The first source that is configured answers; when it fails the helper says so rather than
// quietly trying the next one, so a push never signs with credentials nobody meant.
// The SDK's providers do the work (loaded only in this mode). They read process.env, so the
// values that matter are handed to them explicitly from `env`. Every network wait is bounded, and
// so is every answer (src/aws-transport/bounded-answer.ts) and every file: the token files are read here,
// through the bounded, trusted reader, and handed to the SDK as values; the shared files, which
// the SDK would read for the metadata endpoint and its STS client's settings, are handed to it
// empty (this mode never uses them).
import { accountOfArn, type AccountEvidence } from '../account/account-evidence.js';
import type { SigningCredentials } from '../codecommit/password.js';
import { guardSdkRequests, ResponseTooLarge } from '../aws-transport/bounded-answer.js';
import { formatBytes } from '../support/bounded-file.js';
import { UserError } from '../support/errors.js';
import { redactUrl } from '../support/redact.js';
import type { Trace } from '../support/trace.js';
import { warning } from '../support/warning.js';
import { MAX_AUTHORIZATION_TOKEN_BYTES, MAX_WEB_IDENTITY_TOKEN_BYTES, readTokenFile } from '../aws-files/token-file.js';

export type AmbientSourceKind = 'environment' | 'web identity' | 'container' | 'EKS Pod Identity' | 'instance metadata';

export interface AmbientSource {
  kind: AmbientSourceKind;
  /** Where it comes from, for traces and doctor: variable names, a role ARN, an endpoint. Never a secret. */
  detail: string;
  /** The role the credentials are for, when the configuration names one (web identity). */
  roleArn?: string;
}

export interface AmbientCredentials {
  credentials: SigningCredentials;
  source: AmbientSource;
  /**
   * Proof of their account, for web identity only: STS's AssumeRoleWithWebIdentity answer for
   * these keys (its AssumedRoleUser, else the role it was asked for). An account that environment
   * variables (AWS_ACCOUNT_ID) or a metadata endpoint name is their claim, not proof.
   */
  account?: AccountEvidence;
}

/**
 * The largest answer accepted: a container or metadata document with credentials is about 1.5 KB;
 * STS's AssumeRoleWithWebIdentity answer a few KB.
 */
const MAX_ENDPOINT_ANSWER_BYTES = 64 * 1024;
const MAX_STS_ANSWER_BYTES = 256 * 1024;

/** Each network wait (connect, answer) in ms; the SDK's own defaults reach minutes for STS. */
const ENDPOINT_TIMEOUT_MS = 2000;
const STS_TIMEOUT_MS = 4000;
/**
 * The whole source, in ms, loading the SDK's modules included (slow on a busy machine). The SDK's container provider (fromHttp) only warns on stderr when an
 * endpoint accepts the connection and never answers, and waits on: past the deadline the helper
 * gives up and closes what the SDK left open, so git is never held up.
 */
const DEADLINE_MS: Record<AmbientSourceKind, number> = {
  environment: 10_000,
  'web identity': 20_000,
  container: 10_000,
  'EKS Pod Identity': 10_000,
  'instance metadata': 10_000,
};

/** Which ambient source would answer, from the environment alone (no network). */
export function ambientSourceOf(env: NodeJS.ProcessEnv): AmbientSource | undefined {
  if (env.AWS_ACCESS_KEY_ID) return { kind: 'environment', detail: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY' + (env.AWS_SESSION_TOKEN ? ' with AWS_SESSION_TOKEN' : '') };
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_ROLE_ARN) {
    return { kind: 'web identity', detail: `role ${env.AWS_ROLE_ARN ?? '(AWS_ROLE_ARN not set)'}, token file ${env.AWS_WEB_IDENTITY_TOKEN_FILE ?? '(AWS_WEB_IDENTITY_TOKEN_FILE not set)'}`, ...(env.AWS_ROLE_ARN ? { roleArn: env.AWS_ROLE_ARN } : {}) };
  }
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) return { kind: 'container', detail: `http://169.254.170.2${env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI} (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)` };
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    const url = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    // EKS Pod Identity's agent listens on these link-local addresses.
    const podIdentity = /^https?:\/\/(169\.254\.170\.23|\[fd00:ec2::23\])[:/]/i.test(url);
    return { kind: podIdentity ? 'EKS Pod Identity' : 'container', detail: `${redactUrl(url)} (AWS_CONTAINER_CREDENTIALS_FULL_URI)` };
  }
  if ((env.AWS_EC2_METADATA_DISABLED ?? '').toLowerCase() !== 'true') {
    return { kind: 'instance metadata', detail: `IMDSv2 at ${redactUrl(env.AWS_EC2_METADATA_SERVICE_ENDPOINT || 'http://169.254.169.254')}` };
  }
  return undefined;
}

export async function loadAmbientCredentials(options: {
  env: NodeJS.ProcessEnv;
  now: Date;
  /** For the web identity exchange when AWS_REGION is not set: the CodeCommit host's region. */
  region: string;
  trace: Trace;
}): Promise<AmbientCredentials> {
  const { env, trace } = options;
  const source = ambientSourceOf(env);
  if (!source) {
    throw new UserError(
      'no ambient AWS credentials here (--credentials ambient): none of AWS_ACCESS_KEY_ID, AWS_WEB_IDENTITY_TOKEN_FILE, ' +
        'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI is set and AWS_EC2_METADATA_DISABLED=true; the shared files are never used in this mode',
    );
  }
  trace(`ambient credentials: trying ${source.kind} (${source.detail})`);
  // The SDK warns on stderr about future Node versions; a credential helper's stderr reaches
  // the user on every git command, and the versions pinned in package.json run on Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const started = Date.now();
  let resolved;
  try {
    const maxBytes = source.kind === 'web identity' ? MAX_STS_ANSWER_BYTES : MAX_ENDPOINT_ANSWER_BYTES;
    resolved = await guardSdkRequests({ maxBytes, deadlineMs: DEADLINE_MS[source.kind] }, () => resolveWithSdk(source, options));
  } catch (error) {
    throw explain(source, error);
  }
  trace(`the SDK resolved ${source.kind} credentials in ${Date.now() - started} ms`);
  const credentials: SigningCredentials = { accessKeyId: resolved.accessKeyId, secretAccessKey: resolved.secretAccessKey };
  if (resolved.sessionToken) credentials.sessionToken = resolved.sessionToken;
  if (resolved.originalExpiration && resolved.originalExpiration.getTime() <= options.now.getTime()) {
    // The SDK's static stability rule: it moved the expiry of these credentials 5 to 10 minutes on.
    warning(staleInstanceMetadataWarning(source, resolved.originalExpiration));
  }
  if (resolved.expiration) {
    if (resolved.expiration.getTime() <= options.now.getTime()) {
      throw new UserError(`the ${source.kind} credentials (${source.detail}) expired at ${resolved.expiration.toISOString()}: the job's credentials need refreshing`);
    }
    credentials.expiration = resolved.expiration;
  }
  const account = source.kind === 'web identity' ? webIdentityAccount(resolved.accountId, source.roleArn) : undefined;
  return account ? { credentials, source, account } : { credentials, source };
}

function webIdentityAccount(accountId: string | undefined, roleArn: string | undefined): AccountEvidence | undefined {
  if (accountId !== undefined && /^\d{12}$/.test(accountId)) return { id: accountId, from: `AWS_ROLE_ARN ${roleArn ?? '(unset)'}: STS's AssumeRoleWithWebIdentity answer for these credentials, just now` };
  const fromRole = roleArn === undefined ? undefined : accountOfArn(roleArn);
  return fromRole ? { id: fromRole, from: `AWS_ROLE_ARN ${roleArn}, which STS just let these credentials assume` } : undefined;
}

/**
 * Expired instance metadata credentials are used, with this warning, as the AWS SDKs and the AWS
 * CLI use them (see SECURITY.md): during an outage of the metadata service AWS keeps accepting
 * them, and refusing would stop pushes exactly then, for no safety gained (whoever answers as the
 * metadata service chooses the credentials anyway; the account pin still applies).
 */
function staleInstanceMetadataWarning(source: AmbientSource, expired: Date): string {
  return (
    `the ${source.kind} credentials (${source.detail}) expired at ${expired.toISOString()}; signing with them anyway, as the AWS SDKs and CLI do ` +
    `when the metadata service cannot refresh them (static stability: https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html): CodeCommit may refuse them`
  );
}

interface Resolved {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
  /** Set by the SDK's instance metadata provider when it moved `expiration` on (static stability). */
  originalExpiration?: Date | undefined;
  accountId?: string | undefined;
}

async function resolveWithSdk(source: AmbientSource, { env, region, trace }: { env: NodeJS.ProcessEnv; region: string; trace: Trace }): Promise<Resolved> {
  const [providers, { hideSharedFilesFromSdk }] = await Promise.all([import('@aws-sdk/credential-providers'), import('./sdk-credentials.js')]);
  hideSharedFilesFromSdk();
  // The SDK's messages (e.g. "both URIs set") go to the trace, not to the user's stderr.
  const logger = { trace: () => {}, debug: () => {}, info: () => {}, warn: (...m: unknown[]) => trace(`SDK: ${m.join(' ')}`), error: (...m: unknown[]) => trace(`SDK: ${m.join(' ')}`) };
  switch (source.kind) {
    case 'environment':
      // Reads process.env: the helper's env is process.env (doctor passes the same).
      return providers.fromEnv({ logger })();
    case 'web identity': {
      if (!env.AWS_WEB_IDENTITY_TOKEN_FILE || !env.AWS_ROLE_ARN) {
        throw new UserError(`web identity needs both AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (${source.detail})`);
      }
      // The SDK's own reader (fromTokenFile) reads the file whole and blocks on a FIFO.
      return providers.fromWebToken({
        webIdentityToken: readTokenFile(env.AWS_WEB_IDENTITY_TOKEN_FILE, 'AWS_WEB_IDENTITY_TOKEN_FILE', MAX_WEB_IDENTITY_TOKEN_BYTES, env),
        roleArn: env.AWS_ROLE_ARN,
        roleSessionName: env.AWS_ROLE_SESSION_NAME || `cc-helper-${Date.now()}`,
        logger,
        clientConfig: {
          region: env.AWS_REGION || env.AWS_DEFAULT_REGION || region,
          maxAttempts: 2,
          requestHandler: { connectionTimeout: ENDPOINT_TIMEOUT_MS, requestTimeout: STS_TIMEOUT_MS, throwOnRequestTimeout: true },
        },
      })();
    }
    case 'container':
    case 'EKS Pod Identity': {
      const tokenFile = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;
      return providers.fromHttp({
        ...(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
          ? { awsContainerCredentialsRelativeUri: env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI }
          : { awsContainerCredentialsFullUri: env.AWS_CONTAINER_CREDENTIALS_FULL_URI! }),
        // The file wins over the variable, as in the SDK; read here (the SDK's readFile has no bound).
        ...(tokenFile
          ? { awsContainerAuthorizationToken: readTokenFile(tokenFile, 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', MAX_AUTHORIZATION_TOKEN_BYTES, env) }
          : env.AWS_CONTAINER_AUTHORIZATION_TOKEN
            ? { awsContainerAuthorizationToken: env.AWS_CONTAINER_AUTHORIZATION_TOKEN }
            : {}),
        // Its per-request timeout only warns (on stderr), so it is set past the deadline, which
        // governs; a retry would wait `timeout` first, past the deadline too.
        timeout: DEADLINE_MS[source.kind] + 2000,
        maxRetries: 0,
        logger,
      })();
    }
    case 'instance metadata':
      // IMDSv2 only: a token PUT first; an IMDSv1 GET without a token is never tried.
      return providers.fromInstanceMetadata({ timeout: ENDPOINT_TIMEOUT_MS, maxRetries: 1, ec2MetadataV1Disabled: true, logger })();
  }
}

/** SDK errors are long and multi-line; one line that names the source and what to check. */
function explain(source: AmbientSource, error: unknown): UserError {
  if (error instanceof UserError) return error;
  let message = error instanceof Error ? error.message : String(error);
  if ((error as { name?: unknown }).name === 'TimeoutError') message = `no answer within ${(source.kind === 'web identity' ? STS_TIMEOUT_MS : ENDPOINT_TIMEOUT_MS) / 1000} s`;
  if (error instanceof ResponseTooLarge) message = `it answered with more than ${formatBytes(error.maxBytes)}, more than any credentials document; nothing was used`;
  if (source.kind === 'instance metadata' && /v1 fallback/i.test(message)) {
    message = 'the metadata service gave no IMDSv2 session token (IMDSv1 is never used)';
  }
  const firstLine = message.split('\n', 1)[0]!.slice(0, 200);
  return new UserError(`cannot get ${source.kind} credentials (${source.detail}; --credentials ambient): ${firstLine}`);
}
