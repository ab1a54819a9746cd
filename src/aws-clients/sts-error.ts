// What STS's failures say (aws-transport/query-error.ts makes them: the order, the redaction, the codes):
// STS's codes and the hints that go with them, MFA codes above all. No message carries a secret,
// a session token, a signature or an MFA code.
import {
  codeIs,
  isRetryableAnswer,
  QueryApiError,
  queryAnswerError,
  queryNetworkError,
  THROTTLING_CODES,
  type AnswerRule,
  type NetworkFailure,
  type QueryErrorContext,
  type QueryService,
} from '../aws-transport/query-error.js';

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

export class StsError extends QueryApiError<StsErrorKind, StsAction> {
  override name = 'StsError';
}

export interface ErrorContext extends QueryErrorContext<StsAction> {
  region: string;
  serialNumber?: string;
  roleArn?: string;
  /** Whether the failed request was a retry after a lost answer (an MFA code may be used up). */
  retriedAfterNetworkError: boolean;
}

const ANSWERS: AnswerRule<StsErrorKind, ErrorContext>[] = [
  {
    when: (f) => f.code === 'AccessDenied' && /MultiFactorAuthentication failed with invalid MFA one time pass code/i.test(f.serverMessage),
    kind: 'invalid-mfa',
    message: ({ context }) =>
      `STS rejected the MFA code${context.serialNumber ? ` for ${context.serialNumber}` : ''}: it is wrong, expired or already used; ` +
      'wait for the next code and try again' +
      (context.retriedAfterNetworkError ? ' (an earlier attempt whose answer was lost may have used this code)' : ''),
  },
  {
    when: (f) => f.code === 'AccessDenied' && /MultiFactorAuthentication failed, unable to validate MFA code/i.test(f.serverMessage),
    kind: 'invalid-mfa-serial',
    message: ({ context }) =>
      `STS could not validate the MFA code against ${context.serialNumber ?? 'the MFA device'}: ` +
      'check that the MFA serial is the ARN of an MFA device assigned to this IAM user',
  },
  {
    when: (f) => f.code === 'ValidationError' && /tokenCode/.test(f.serverMessage),
    kind: 'invalid-mfa',
    message: () => 'STS refused the MFA code: it must be the 6 digits the device shows now',
  },
  {
    when: codeIs('AccessDenied'),
    kind: 'access-denied',
    message: ({ context, serverMessage, said }) => {
      const { action } = context;
      const hint =
        action === 'AssumeRole'
          ? `check that the role ${context.roleArn ?? ''} trusts this caller, and its external id and MFA conditions`
          : action === 'GetSessionToken' && /session credentials/i.test(serverMessage)
            ? 'GetSessionToken needs the long-term access key of an IAM user, not a session'
            : 'check the IAM policy of the caller';
      return `STS denied ${action} (AccessDenied: ${said}): ${hint}`;
    },
  },
  {
    when: codeIs('ExpiredToken', 'ExpiredTokenException', 'RequestExpired'),
    kind: 'expired-token',
    message: ({ context, key, code }) => `the credentials used for ${context.action} (key ${key}) have expired (${code}): start their session again, then retry`,
  },
  {
    when: codeIs('InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidAccessKeyId'),
    kind: 'invalid-credentials',
    message: ({ key, code }) =>
      `STS does not recognise the access key ${key} (${code}): it was deleted or deactivated, belongs to another partition, ` +
      'or its session token is wrong; store a current key and try again',
  },
  {
    when: (f) => f.code === 'SignatureDoesNotMatch' && /Signature (?:expired|not yet current)/i.test(f.serverMessage),
    kind: 'clock-skew',
    message: ({ said }) => `STS refused the request's time (${said}): this machine's clock is off; set it right (NTP) and try again`,
  },
  {
    when: codeIs('SignatureDoesNotMatch', 'IncompleteSignature'),
    kind: 'bad-signature',
    message: ({ key, code }) => `STS says the signature does not match for access key ${key} (${code}): the secret access key stored with it is wrong`,
  },
  {
    when: codeIs('RegionDisabledException'),
    kind: 'region-disabled',
    message: ({ context, code }) => `STS is not activated in ${context.region} for this account (${code}): activate the region in IAM or use another region`,
  },
  {
    when: (f) => isRetryableAnswer(f.status, f.code),
    kind: (f) => (throttled(f) ? 'throttled' : 'server'),
    message: (f) =>
      throttled(f)
        ? `STS kept throttling ${f.context.action} (${f.code}) after ${attemptsText(f.context.attempts)}: wait a minute and try again`
        : `STS failed ${f.context.action} with HTTP ${f.status} (${f.code}${f.said ? `: ${f.said}` : ''}) after ${attemptsText(f.context.attempts)}: try again later`,
  },
  {
    when: codeIs('ValidationError', 'InvalidParameterValue', 'MalformedPolicyDocument', 'MissingParameter'),
    kind: 'validation',
    message: ({ context, code, said }) => `STS refused the ${context.action} parameters (${code}: ${said})`,
  },
];

const STS: QueryService<StsErrorKind, ErrorContext, StsError> = {
  name: 'STS',
  answers: ANSWERS,
  network: {
    tooLarge: ({ context }) =>
      `STS at ${context.endpoint} sent an answer larger than any STS answer (ResponseTooLarge); nothing was used: check AWS_ENDPOINT_URL_STS and any proxy in between`,
    tls: ({ context, failure }) =>
      `cannot verify the TLS certificate of STS at ${context.endpoint} (${failure.code}): if a proxy or corporate CA sits in between, ` +
      'put its certificate in NODE_EXTRA_CA_CERTS',
    unreachable: ({ context, failure, timeoutMs }) => {
      const limit = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
      const what = failure.code === 'TimeoutError' ? `no answer within ${limit}` : failure.code;
      return `cannot reach STS at ${context.endpoint} (${what}${context.attempts > 1 ? `, ${context.attempts} attempts` : ''}): check your network or AWS_ENDPOINT_URL_STS`;
    },
  },
  make: (message, kind, code, context, status) => new StsError(message, kind, code, context.action, context.endpoint, context.attempts, status),
};

/** Builds the error for an answer STS gave (status ≥ 300). */
export function answerError(status: number, rawCode: string, serverMessage: string, context: ErrorContext): StsError {
  return queryAnswerError(STS, status, rawCode, serverMessage, context);
}

export function networkError(failure: NetworkFailure, context: ErrorContext, timeoutMs: number): StsError {
  return queryNetworkError(STS, failure, context, timeoutMs);
}

function throttled(f: { code: string; status: number }): boolean {
  return THROTTLING_CODES.has(f.code) || f.status === 429;
}

function attemptsText(n: number): string {
  return n === 1 ? '1 attempt' : `${n} attempts`;
}
