// IAM failures as one line a person can act on; the same rules as STS's (sts-error.ts): no
// secret in any message, IAM's own text redacted and shortened.
import { isRetryableAnswer, safeErrorCode, type NetworkFailure } from '../sts/sts-error.js';
import { redactServerText } from '../support/redact.js';
import { oneLine, UserError } from '../support/errors.js';
import { mask } from '../support/trace.js';

export type IamAction = 'CreateAccessKey' | 'DeleteAccessKey' | 'ListAccessKeys';

export type IamErrorKind = 'limit-exceeded' | 'no-such-entity' | 'access-denied' | 'invalid-credentials' | 'bad-signature' | 'throttled' | 'server' | 'unreachable' | 'tls' | 'unexpected';

export class IamError extends UserError {
  override name = 'IamError';
  constructor(
    message: string,
    readonly kind: IamErrorKind,
    readonly code: string,
    readonly action: IamAction,
    readonly endpoint: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface IamErrorContext {
  action: IamAction;
  endpoint: string;
  accessKeyId: string;
  attempts: number;
  secrets: string[];
}

export function iamAnswerError(status: number, rawCode: string, serverMessage: string, context: IamErrorContext): IamError {
  const said = redactServerText(serverMessage, context.secrets);
  const code = safeErrorCode(rawCode, context.secrets);
  const { action, endpoint } = context;
  const make = (kind: IamErrorKind, message: string) => new IamError(oneLine(message), kind, code, action, endpoint, status);
  if (code === 'LimitExceeded') return make('limit-exceeded', `IAM refused ${action} (LimitExceeded: ${said})`);
  if (code === 'NoSuchEntity') return make('no-such-entity', `IAM ${action}: no such entity (${said})`);
  if (code === 'AccessDenied' || code === 'AccessDeniedException') {
    return make('access-denied', `IAM denied ${action} to key ${mask(context.accessKeyId)} (AccessDenied: ${said}): the user's policy must allow iam:${action} on itself`);
  }
  if (code === 'InvalidClientTokenId' || code === 'InvalidAccessKeyId') {
    return make('invalid-credentials', `IAM does not recognise the access key ${mask(context.accessKeyId)} (${code}): it was deleted, deactivated, or has not reached IAM yet`);
  }
  if (code === 'SignatureDoesNotMatch' || code === 'IncompleteSignature') {
    return make('bad-signature', `IAM says the signature does not match for access key ${mask(context.accessKeyId)} (${code}${said ? `: ${said}` : ''})`);
  }
  if (isRetryableAnswer(status, code)) {
    const throttled = status === 429 || /thrott|RequestLimitExceeded|TooManyRequests/i.test(code);
    return make(throttled ? 'throttled' : 'server', `IAM failed ${action} with HTTP ${status} (${code}${said ? `: ${said}` : ''}) after ${context.attempts} attempt(s): try again later`);
  }
  return make('unexpected', `IAM ${action} failed with HTTP ${status} (${code}${said ? `: ${said}` : ''})`);
}

export function iamNetworkError(failure: NetworkFailure, context: IamErrorContext, timeoutMs: number): IamError {
  const { action, endpoint } = context;
  if (failure.tls) {
    return new IamError(`cannot verify the TLS certificate of IAM at ${endpoint} (${failure.code}): put a proxy's CA certificate in NODE_EXTRA_CA_CERTS`, 'tls', failure.code, action, endpoint);
  }
  const what = failure.code === 'TimeoutError' ? `no answer within ${Math.round(timeoutMs / 1000)} s` : failure.code;
  return new IamError(`cannot reach IAM at ${endpoint} (${what}): check your network or AWS_ENDPOINT_URL_IAM`, 'unreachable', failure.code, action, endpoint);
}
