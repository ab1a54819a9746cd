// STS failures as one line a person can act on. The message never carries a secret, a session
// token, a signature or an MFA code: STS's own text is passed through `redactServerText` with the values of
// the request that failed, and shortened.
import { oneLine, UserError } from '../support/errors.js';
import { mask } from '../support/trace.js';
import { redactServerText } from '../support/redact.js';

export type StsAction = 'GetSessionToken' | 'AssumeRole' | 'GetCallerIdentity';

export type StsErrorKind =
  /** The MFA code is wrong, expired or was used already. */
  | 'invalid-mfa'
  /** STS could not match the MFA serial to the caller. */
  | 'invalid-mfa-serial'
  | 'access-denied'
  /** The calling credentials (a session) have expired. */
  | 'expired-token'
  /** The access key does not exist (deleted, deactivated, other partition). */
  | 'invalid-credentials'
  /** Wrong secret key. */
  | 'bad-signature'
  /** This machine's clock is too far off. */
  | 'clock-skew'
  | 'throttled'
  | 'server'
  | 'validation'
  | 'region-disabled'
  | 'unreachable'
  | 'tls'
  | 'unexpected';

export class StsError extends UserError {
  override name = 'StsError';
  constructor(
    message: string,
    readonly kind: StsErrorKind,
    /** STS's error code (`AccessDenied`, `Throttling`, …) or the network error's (`ECONNREFUSED`). */
    readonly code: string,
    readonly action: StsAction,
    readonly endpoint: string,
    readonly attempts: number,
    /** HTTP status, when STS answered at all. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ErrorContext {
  action: StsAction;
  endpoint: string;
  region: string;
  accessKeyId: string;
  attempts: number;
  serialNumber?: string;
  roleArn?: string;
  /** Whether the failed request was a retry after a lost answer (an MFA code may be used up). */
  retriedAfterNetworkError: boolean;
  /** Secret values of the request, removed from any text STS sends back. */
  secrets: string[];
}

const THROTTLING_CODES = new Set(['Throttling', 'ThrottlingException', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled', 'RequestThrottledException', 'SlowDown']);

/** Whether an AWS error answer is worth retrying: throttling and server-side failures only. */
export function isRetryableAnswer(status: number, code: string): boolean {
  return THROTTLING_CODES.has(code) || status === 429 || status >= 500;
}

/** Builds the error for an answer STS gave (status ≥ 300). */
export function answerError(status: number, rawCode: string, serverMessage: string, context: ErrorContext): StsError {
  const said = redactServerText(serverMessage, context.secrets);
  // Matched against known codes as sent; shown only once made safe (a hostile server may put
  // anything there, including the request's MFA code or megabytes of text).
  const code = safeErrorCode(rawCode, context.secrets);
  const { action, accessKeyId } = context;
  const key = mask(accessKeyId);
  const make = (kind: StsErrorKind, message: string) => new StsError(oneLine(message), kind, code, action, context.endpoint, context.attempts, status);

  if (code === 'AccessDenied' && /MultiFactorAuthentication failed with invalid MFA one time pass code/i.test(serverMessage)) {
    return make(
      'invalid-mfa',
      `STS rejected the MFA code${context.serialNumber ? ` for ${context.serialNumber}` : ''}: it is wrong, expired or already used; ` +
        'wait for the next code and try again' +
        (context.retriedAfterNetworkError ? ' (an earlier attempt whose answer was lost may have used this code)' : ''),
    );
  }
  if (code === 'AccessDenied' && /MultiFactorAuthentication failed, unable to validate MFA code/i.test(serverMessage)) {
    return make(
      'invalid-mfa-serial',
      `STS could not validate the MFA code against ${context.serialNumber ?? 'the MFA device'}: ` +
        'check that the MFA serial is the ARN of an MFA device assigned to this IAM user',
    );
  }
  if (code === 'ValidationError' && /tokenCode/.test(serverMessage)) {
    return make('invalid-mfa', 'STS refused the MFA code: it must be the 6 digits the device shows now');
  }
  if (code === 'AccessDenied') {
    const hint =
      action === 'AssumeRole'
        ? `check that the role ${context.roleArn ?? ''} trusts this caller, and its external id and MFA conditions`
        : action === 'GetSessionToken' && /session credentials/i.test(serverMessage)
          ? 'GetSessionToken needs the long-term access key of an IAM user, not a session'
          : 'check the IAM policy of the caller';
    return make('access-denied', `STS denied ${action} (AccessDenied: ${said}): ${hint}`);
  }
  if (code === 'ExpiredToken' || code === 'ExpiredTokenException' || code === 'RequestExpired') {
    return make('expired-token', `the credentials used for ${action} (key ${key}) have expired (${code}): start their session again, then retry`);
  }
  if (code === 'InvalidClientTokenId' || code === 'UnrecognizedClientException' || code === 'InvalidAccessKeyId') {
    return make(
      'invalid-credentials',
      `STS does not recognise the access key ${key} (${code}): it was deleted or deactivated, belongs to another partition, ` +
        'or its session token is wrong; store a current key and try again',
    );
  }
  if (code === 'SignatureDoesNotMatch' && /Signature (?:expired|not yet current)/i.test(serverMessage)) {
    return make('clock-skew', `STS refused the request's time (${said}): this machine's clock is off; set it right (NTP) and try again`);
  }
  if (code === 'SignatureDoesNotMatch' || code === 'IncompleteSignature') {
    return make('bad-signature', `STS says the signature does not match for access key ${key} (${code}): the secret access key stored with it is wrong`);
  }
  if (code === 'RegionDisabledException') {
    return make('region-disabled', `STS is not activated in ${context.region} for this account (${code}): activate the region in IAM or use another region`);
  }
  if (isRetryableAnswer(status, code)) {
    const throttled = THROTTLING_CODES.has(code) || status === 429;
    return make(
      throttled ? 'throttled' : 'server',
      throttled
        ? `STS kept throttling ${action} (${code}) after ${attemptsText(context.attempts)}: wait a minute and try again`
        : `STS failed ${action} with HTTP ${status} (${code}${said ? `: ${said}` : ''}) after ${attemptsText(context.attempts)}: try again later`,
    );
  }
  if (code === 'ValidationError' || code === 'InvalidParameterValue' || code === 'MalformedPolicyDocument' || code === 'MissingParameter') {
    return make('validation', `STS refused the ${action} parameters (${code}: ${said})`);
  }
  return make('unexpected', `STS ${action} failed with HTTP ${status} (${code}${said ? `: ${said}` : ''})`);
}

/** Codes of network failures meaning "nothing answered here"; never retried. */
const UNREACHABLE_CODES = new Set(['ResponseTooLarge', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'TimeoutError', 'EADDRNOTAVAIL']);
/** The connection broke after it was made: worth another try. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

export interface NetworkFailure {
  code: string;
  retryable: boolean;
  tls: boolean;
}

/** What a rejected fetch() means; undici hides the system error in `cause` (or `cause.errors`). */
export function classifyNetworkError(error: unknown): NetworkFailure {
  const codes: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || depth > 4) return;
    const { code, name, cause, errors } = value as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (name === 'TimeoutError' || name === 'AbortError') codes.push('TimeoutError');
    visit(cause, depth + 1);
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  const tls = codes.find((c) => /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(c));
  if (tls) return { code: tls, retryable: false, tls: true };
  const unreachable = codes.find((c) => UNREACHABLE_CODES.has(c));
  if (unreachable) return { code: unreachable, retryable: false, tls: false };
  const reset = codes.find((c) => RESET_CODES.has(c));
  if (reset) return { code: reset, retryable: true, tls: false };
  // "other side closed" and friends come without a code; treat an unknown break as a reset.
  return { code: codes[0] ?? 'network error', retryable: true, tls: false };
}

export function networkError(failure: NetworkFailure, context: ErrorContext, timeoutMs: number): StsError {
  const { action, endpoint, attempts } = context;
  if (failure.code === 'ResponseTooLarge') {
    return new StsError(
      `STS at ${endpoint} sent an answer larger than any STS answer (ResponseTooLarge); nothing was used: check AWS_ENDPOINT_URL_STS and any proxy in between`,
      'unexpected',
      failure.code,
      action,
      endpoint,
      attempts,
    );
  }
  if (failure.tls) {
    return new StsError(
      `cannot verify the TLS certificate of STS at ${endpoint} (${failure.code}): if a proxy or corporate CA sits in between, ` +
        'put its certificate in NODE_EXTRA_CA_CERTS',
      'tls',
      failure.code,
      action,
      endpoint,
      attempts,
    );
  }
  const limit = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
  const what = failure.code === 'TimeoutError' ? `no answer within ${limit}` : failure.code;
  return new StsError(
    `cannot reach STS at ${endpoint} (${what}${attempts > 1 ? `, ${attempts} attempts` : ''}): check your network or AWS_ENDPOINT_URL_STS`,
    'unreachable',
    failure.code,
    action,
    endpoint,
    attempts,
  );
}

/** An AWS error code is a short identifier (`AccessDenied`); anything else is not shown as sent. */
export function safeErrorCode(code: string, secrets: string[]): string {
  // Stricter than messages: no request value anywhere in it, not even inside a word.
  if (secrets.some((secret) => secret.length >= 4 && code.includes(secret))) return 'UnrecognisedErrorCode';
  return /^[A-Za-z][A-Za-z0-9._:-]{0,63}$/.test(code) ? code : 'UnrecognisedErrorCode';
}

function attemptsText(n: number): string {
  return n === 1 ? '1 attempt' : `${n} attempts`;
}
