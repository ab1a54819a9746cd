// Failures of the AWS query APIs (STS, IAM: the same protocol, aws-transport/query-api.ts) as one line a
// person can act on. What every such service shares is here: the error type, which answers are
// worth retrying, what a failed fetch() means, the order of the checks, and the rule that no
// message carries a secret (the server's text goes through `redactServerText` with the request's
// secret values, the error code is shown only when it is a plain identifier, an access key only
// masked). What each service says is its own table (aws-clients/sts-error.ts, aws-clients/iam-error.ts).
import { oneLine, UserError } from '../support/errors.js';
import { redactServerText } from '../support/redact.js';
import { mask } from '../support/trace.js';

export class QueryApiError<Kind extends string = string, Action extends string = string> extends UserError {
  constructor(
    message: string,
    readonly kind: Kind,
    /** The service's error code (`AccessDenied`, `Throttling`, …) or the network error's (`ECONNREFUSED`). */
    readonly code: string,
    readonly action: Action,
    readonly endpoint: string,
    readonly attempts: number,
    /** HTTP status, when the service answered at all. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface QueryErrorContext<Action extends string = string> {
  action: Action;
  endpoint: string;
  accessKeyId: string;
  attempts: number;
  /** Secret values of the request, removed from any text the service sends back. */
  secrets: string[];
}

/** What a rule sees of an error answer. */
export interface AnswerFacts<Context extends QueryErrorContext> {
  status: number;
  /** The error code, safe to show (see safeErrorCode). */
  code: string;
  /** The server's message, redacted and shortened: the only form of it a message may show. */
  said: string;
  /** The server's message as sent: only to match against, never shown. */
  serverMessage: string;
  /** The access key, masked. */
  key: string;
  context: Context;
}

/** One row of a service's table: the first row whose `when` holds makes the error. */
export interface AnswerRule<Kind extends string, Context extends QueryErrorContext> {
  when: (facts: AnswerFacts<Context>) => boolean;
  kind: Kind | ((facts: AnswerFacts<Context>) => Kind);
  message: (facts: AnswerFacts<Context>) => string;
}

export interface NetworkFacts<Context extends QueryErrorContext> {
  failure: NetworkFailure;
  timeoutMs: number;
  context: Context;
}

export interface QueryService<Kind extends string, Context extends QueryErrorContext, E> {
  /** `STS`, `IAM`: the unknown answer's message names it. */
  name: string;
  answers: readonly AnswerRule<Kind, Context>[];
  network: {
    /** An answer larger than the service ever sends; without this row it reads as unreachable. */
    tooLarge?: (facts: NetworkFacts<Context>) => string;
    tls: (facts: NetworkFacts<Context>) => string;
    unreachable: (facts: NetworkFacts<Context>) => string;
  };
  make: (message: string, kind: Kind | 'unexpected' | 'tls' | 'unreachable', code: string, context: Context, status?: number) => E;
}

/**
 * Throttling answers: the codes of botocore/retries/standard.py's ThrottlingErrorDetector
 * (_THROTTLED_ERROR_CODES) that are not another service's own (DynamoDB's, EC2's, …).
 */
export const THROTTLING_CODES = new Set(['Throttling', 'ThrottlingException', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled', 'RequestThrottledException', 'SlowDown']);

/** Whether an AWS error answer is worth retrying: throttling and server-side failures only. */
export function isRetryableAnswer(status: number, code: string): boolean {
  return THROTTLING_CODES.has(code) || status === 429 || status >= 500;
}

/** Builds the error for an answer the service gave (status ≥ 300). */
export function queryAnswerError<Kind extends string, Context extends QueryErrorContext, E>(
  service: QueryService<Kind, Context, E>,
  status: number,
  rawCode: string,
  serverMessage: string,
  context: Context,
): E {
  // Matched against known codes as sent; shown only once made safe (a hostile server may put
  // anything there, including the request's MFA code or megabytes of text).
  const facts: AnswerFacts<Context> = {
    status,
    code: safeErrorCode(rawCode, context.secrets),
    said: redactServerText(serverMessage, context.secrets),
    serverMessage,
    key: mask(context.accessKeyId),
    context,
  };
  for (const rule of service.answers) {
    if (!rule.when(facts)) continue;
    const kind = typeof rule.kind === 'function' ? rule.kind(facts) : rule.kind;
    return service.make(oneLine(rule.message(facts)), kind, facts.code, context, status);
  }
  const { code, said } = facts;
  return service.make(oneLine(`${service.name} ${context.action} failed with HTTP ${status} (${code}${said ? `: ${said}` : ''})`), 'unexpected', code, context, status);
}

/** Builds the error for a request that got no usable answer. */
export function queryNetworkError<Kind extends string, Context extends QueryErrorContext, E>(
  service: QueryService<Kind, Context, E>,
  failure: NetworkFailure,
  context: Context,
  timeoutMs: number,
): E {
  const facts = { failure, timeoutMs, context };
  const { tooLarge, tls, unreachable } = service.network;
  if (failure.code === 'ResponseTooLarge' && tooLarge) return service.make(tooLarge(facts), 'unexpected', failure.code, context);
  if (failure.tls) return service.make(tls(facts), 'tls', failure.code, context);
  return service.make(unreachable(facts), 'unreachable', failure.code, context);
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

/** An AWS error code is a short identifier (`AccessDenied`); anything else is not shown as sent. */
export function safeErrorCode(code: string, secrets: string[]): string {
  // Stricter than messages: no request value anywhere in it, not even inside a word.
  if (secrets.some((secret) => secret.length >= 4 && code.includes(secret))) return 'UnrecognisedErrorCode';
  return /^[A-Za-z][A-Za-z0-9._:-]{0,63}$/.test(code) ? code : 'UnrecognisedErrorCode';
}

/** A rule's `when` for a set of codes. */
export function codeIs(...codes: string[]): (facts: { code: string }) => boolean {
  return (facts) => codes.includes(facts.code);
}
