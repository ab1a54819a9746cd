// A small STS client for the three calls cc-helper makes. STS speaks the query protocol: a
// form-encoded POST of `Action=…&Version=2011-06-15&…`, SigV4-signed for service `sts`, answered
// in XML (https://docs.aws.amazon.com/STS/latest/APIReference/). Loading the SDK's STS client
// would cost the helper's start-up and print Node-version warnings; this needs only the signer
// the CodeCommit password already uses, and node's global fetch.
//
// Retries: only throttling, 5xx and a connection that broke after it was made, a bounded number
// of times with jittered exponential backoff. Refused connections, unknown hosts and timeouts
// fail at once with "cannot reach STS".
import { callQueryApi, type QueryTuning } from '../aws-transport/query-api.js';
import { RENEW_MARGIN_SECONDS } from '../codecommit/renewal.js';
import { stsEndpoint } from '../aws-transport/endpoints.js';
import { answerError, networkError, StsError, type ErrorContext, type StsAction } from './sts-error.js';
import { xmlInner, xmlText } from '../aws-transport/xml.js';
import { looksLikeCredentials } from '../support/credential-text.js';

export { StsError, type StsAction, type StsErrorKind } from './sts-error.js';

export const STS_API_VERSION = '2011-06-15';
/** What STS issues when DurationSeconds is not sent. */
export const DEFAULT_ASSUME_ROLE_SECONDS = 3600;
export const DEFAULT_SESSION_TOKEN_SECONDS = 43200;

export interface StsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AssumedRoleCredentials extends StsCredentials {
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session name>`. */
  assumedRoleArn: string;
  assumedRoleId: string;
}

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** The credentials that sign the STS call (long-term keys, or a session for AssumeRole). */
export interface CallerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface StsClientOptions extends QueryTuning {
  /** Signing region, and the endpoint's region unless an endpoint is configured. */
  region: string;
  credentials: CallerCredentials;
  /** Read for AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS. */
  env?: NodeJS.ProcessEnv;
  /** Overrides the environment: the URL to POST to. */
  endpoint?: string;
}

export interface GetSessionTokenParams {
  /** 900 to 129600 seconds; STS's default is 43200. */
  durationSeconds?: number;
  serialNumber?: string;
  tokenCode?: string;
}

export interface AssumeRoleParams {
  roleArn: string;
  /** 2 to 64 characters of `[\w+=,.@-]`; shows in CloudTrail and the assumed role's ARN. */
  roleSessionName: string;
  durationSeconds?: number;
  externalId?: string;
  serialNumber?: string;
  tokenCode?: string;
}

/** STS allows [\w+=,.@-]{2,64}; the profile name says where the session came from in CloudTrail. */
export function roleSessionNameFor(profile: string): string {
  return `cc-helper-${profile}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

export interface StsClient {
  /** The URL requests go to (for messages). */
  readonly endpoint: string;
  getSessionToken(params?: GetSessionTokenParams): Promise<StsCredentials>;
  assumeRole(params: AssumeRoleParams): Promise<AssumedRoleCredentials>;
  getCallerIdentity(): Promise<CallerIdentity>;
}

export function createStsClient(options: StsClientOptions): StsClient {
  const endpoint = options.endpoint ?? stsEndpoint(options.region, options.env ?? process.env).url;
  const clock = options.now ?? (() => new Date());
  const call = (action: StsAction, params: Record<string, string | number | undefined>, context: Partial<ErrorContext> = {}) =>
    callSts(options, endpoint, action, params, context);
  return {
    endpoint,
    async getSessionToken(params = {}) {
      const xml = await call(
        'GetSessionToken',
        { DurationSeconds: params.durationSeconds, SerialNumber: params.serialNumber, TokenCode: params.tokenCode },
        { serialNumber: params.serialNumber, secrets: params.tokenCode ? [params.tokenCode] : [] },
      );
      return readCredentials(xml, 'GetSessionToken', endpoint, clock(), params.durationSeconds ?? DEFAULT_SESSION_TOKEN_SECONDS);
    },
    async assumeRole(params) {
      const xml = await call(
        'AssumeRole',
        {
          RoleArn: params.roleArn,
          RoleSessionName: params.roleSessionName,
          DurationSeconds: params.durationSeconds,
          ExternalId: params.externalId,
          SerialNumber: params.serialNumber,
          TokenCode: params.tokenCode,
        },
        {
          serialNumber: params.serialNumber,
          roleArn: params.roleArn,
          secrets: [params.tokenCode, params.externalId].filter((s): s is string => !!s),
        },
      );
      const credentials = readCredentials(xml, 'AssumeRole', endpoint, clock(), params.durationSeconds ?? DEFAULT_ASSUME_ROLE_SECONDS);
      const user = xmlInner(xml, 'AssumedRoleUser') ?? '';
      return { ...credentials, assumedRoleArn: xmlText(user, 'Arn') ?? '', assumedRoleId: xmlText(user, 'AssumedRoleId') ?? '' };
    },
    async getCallerIdentity() {
      const xml = await call('GetCallerIdentity', {});
      const result = xmlInner(xml, 'GetCallerIdentityResult');
      const account = result && xmlText(result, 'Account');
      const arn = result && xmlText(result, 'Arn');
      const userId = result && xmlText(result, 'UserId');
      if (!account || !arn || !userId) throw malformed('GetCallerIdentity', endpoint);
      return { account, arn, userId };
    },
  };
}

/** One STS action with retries (the shared query-protocol call); returns the XML body of a 2xx answer. */
async function callSts(
  options: StsClientOptions,
  endpoint: string,
  action: StsAction,
  params: Record<string, string | number | undefined>,
  partialContext: Partial<ErrorContext>,
): Promise<string> {
  const { credentials } = options;
  const context = (attempts: number, retriedAfterNetworkError: boolean): ErrorContext => ({
    action,
    endpoint,
    region: options.region,
    accessKeyId: credentials.accessKeyId,
    attempts,
    retriedAfterNetworkError,
    ...partialContext,
    secrets: [credentials.secretAccessKey, ...(credentials.sessionToken ? [credentials.sessionToken] : []), ...(partialContext.secrets ?? [])],
  });
  return callQueryApi({ ...options, service: 'sts', apiVersion: STS_API_VERSION, endpoint }, action, params, {
    answer: (status, code, message, attempts, retried) => answerError(status, code, message, context(attempts, retried)),
    network: (failure, attempts, timeoutMs) => networkError(failure, context(attempts, false), timeoutMs),
  });
}

/**
 * The credentials of a GetSessionToken/AssumeRole answer, checked as a hostile server's would be:
 * each value must look like an AWS credential (a line break in one would end up in git's
 * answer), and the expiry must make sense against this machine's clock and what was asked for.
 */
function readCredentials(xml: string, action: StsAction, endpoint: string, now: Date, requestedSeconds: number): StsCredentials {
  const block = xmlInner(xml, 'Credentials');
  const accessKeyId = block && xmlText(block, 'AccessKeyId');
  const secretAccessKey = block && xmlText(block, 'SecretAccessKey');
  const sessionToken = block && xmlText(block, 'SessionToken');
  const expirationText = block && xmlText(block, 'Expiration');
  const expiration = expirationText ? new Date(expirationText) : undefined;
  if (!accessKeyId || !secretAccessKey || !sessionToken || !expiration || Number.isNaN(expiration.getTime())) throw malformed(action, endpoint);
  if (!looksLikeCredentials(accessKeyId, secretAccessKey, sessionToken)) {
    throw new StsError(
      `STS at ${endpoint} answered ${action} with credentials holding characters no AWS credential has (a line break, space or control character); ` +
        'refused them, nothing was stored: check AWS_ENDPOINT_URL_STS and any proxy in between',
      'unexpected',
      'MalformedCredentials',
      action,
      endpoint,
      1,
      200,
    );
  }
  const problem = expiryProblem(expiration, now);
  if (problem) {
    throw new StsError(
      `STS at ${endpoint} answered ${action} with credentials that ${problem}; refused them: set this machine's clock right (NTP), or check AWS_ENDPOINT_URL_STS`,
      'clock-skew',
      'ExpiredOnArrival',
      action,
      endpoint,
      1,
      200,
    );
  }
  return { accessKeyId, secretAccessKey, sessionToken, expiration: cappedExpiration(expiration, now, requestedSeconds) };
}

/**
 * Why freshly issued credentials cannot be used, or undefined: already expired, or inside the
 * renewal margin at once (every process waiting for them would fetch again, with a fresh MFA
 * code each). Either means this machine's clock is off, or the server is not AWS.
 */
export function expiryProblem(expiration: Date, now: Date): string | undefined {
  const leftSeconds = Math.floor((expiration.getTime() - now.getTime()) / 1000);
  if (leftSeconds >= RENEW_MARGIN_SECONDS) return undefined;
  const when = leftSeconds <= 0 ? `already expired at ${expiration.toISOString()}` : `expire in ${leftSeconds} s (at ${expiration.toISOString()})`;
  return `${when}, by this machine's clock (${now.toISOString()})`;
}

/** A far-future expiry (year 9999) is capped at what was asked for, never stored as "never renew". */
export function cappedExpiration(expiration: Date, now: Date, requestedSeconds: number): Date {
  const latest = now.getTime() + requestedSeconds * 1000;
  return expiration.getTime() > latest ? new Date(latest) : expiration;
}

function malformed(action: StsAction, endpoint: string): StsError {
  return new StsError(`STS at ${endpoint} answered ${action} without the expected fields: is AWS_ENDPOINT_URL_STS pointing at STS?`, 'unexpected', 'MalformedResponse', action, endpoint, 1, 200);
}
