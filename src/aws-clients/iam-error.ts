// What IAM's failures say (aws-transport/query-error.ts makes them, by the same rules as STS's): IAM's
// codes and what to do about them.
import {
  codeIs,
  isRetryableAnswer,
  QueryApiError,
  queryAnswerError,
  queryNetworkError,
  type AnswerRule,
  type NetworkFailure,
  type QueryErrorContext,
  type QueryService,
} from '../aws-transport/query-error.js';

export type IamAction = 'CreateAccessKey' | 'DeleteAccessKey' | 'ListAccessKeys';

export type IamErrorKind = 'limit-exceeded' | 'no-such-entity' | 'access-denied' | 'invalid-credentials' | 'bad-signature' | 'throttled' | 'server' | 'unreachable' | 'tls' | 'unexpected';

export class IamError extends QueryApiError<IamErrorKind, IamAction> {
  override name = 'IamError';
}

export type IamErrorContext = QueryErrorContext<IamAction>;

const ANSWERS: AnswerRule<IamErrorKind, IamErrorContext>[] = [
  { when: codeIs('LimitExceeded'), kind: 'limit-exceeded', message: ({ context, said }) => `IAM refused ${context.action} (LimitExceeded: ${said})` },
  { when: codeIs('NoSuchEntity'), kind: 'no-such-entity', message: ({ context, said }) => `IAM ${context.action}: no such entity (${said})` },
  {
    when: codeIs('AccessDenied', 'AccessDeniedException'),
    kind: 'access-denied',
    message: ({ context, key, said }) => `IAM denied ${context.action} to key ${key} (AccessDenied: ${said}): the user's policy must allow iam:${context.action} on itself`,
  },
  {
    when: codeIs('InvalidClientTokenId', 'InvalidAccessKeyId'),
    kind: 'invalid-credentials',
    message: ({ key, code }) => `IAM does not recognise the access key ${key} (${code}): it was deleted, deactivated, or has not reached IAM yet`,
  },
  {
    when: codeIs('SignatureDoesNotMatch', 'IncompleteSignature'),
    kind: 'bad-signature',
    message: ({ key, code, said }) => `IAM says the signature does not match for access key ${key} (${code}${said ? `: ${said}` : ''})`,
  },
  {
    when: (f) => isRetryableAnswer(f.status, f.code),
    kind: (f) => (f.status === 429 || /thrott|RequestLimitExceeded|TooManyRequests/i.test(f.code) ? 'throttled' : 'server'),
    message: ({ context, status, code, said }) => `IAM failed ${context.action} with HTTP ${status} (${code}${said ? `: ${said}` : ''}) after ${context.attempts} attempt(s): try again later`,
  },
];

const IAM: QueryService<IamErrorKind, IamErrorContext, IamError> = {
  name: 'IAM',
  answers: ANSWERS,
  network: {
    tls: ({ context, failure }) => `cannot verify the TLS certificate of IAM at ${context.endpoint} (${failure.code}): put a proxy's CA certificate in NODE_EXTRA_CA_CERTS`,
    unreachable: ({ context, failure, timeoutMs }) =>
      `cannot reach IAM at ${context.endpoint} (${failure.code === 'TimeoutError' ? `no answer within ${Math.round(timeoutMs / 1000)} s` : failure.code}): check your network or AWS_ENDPOINT_URL_IAM`,
  },
  make: (message, kind, code, context, status) => new IamError(message, kind, code, context.action, context.endpoint, context.attempts, status),
};

export function iamAnswerError(status: number, rawCode: string, serverMessage: string, context: IamErrorContext): IamError {
  return queryAnswerError(IAM, status, rawCode, serverMessage, context);
}

export function iamNetworkError(failure: NetworkFailure, context: IamErrorContext, timeoutMs: number): IamError {
  return queryNetworkError(IAM, failure, context, timeoutMs);
}
