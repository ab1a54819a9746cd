// One call of an AWS query-protocol API (STS, IAM): a form-encoded POST of
// `Action=…&Version=…&…`, SigV4-signed with @smithy/signature-v4, answered in XML. Retries only
// throttling, 5xx and a connection that broke after it was made, a bounded number of times with
// jittered exponential backoff; what a failure *means* is the caller's (each service words its
// own errors), through `errors`.
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../crypto/sha256.js';
import { classifyNetworkError, isRetryableAnswer, type NetworkFailure } from './query-error.js';
import { xmlInner, xmlText } from './xml.js';
import { awsNetwork } from './aws-network.js';
import { fetchBounded } from './bounded-answer.js';
import { mask, silentTrace, type Trace } from '../support/trace.js';

export interface QueryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** How a call is made: clock, tracing, timeouts, retries, transport. Shared by every client. */
export interface QueryTuning {
  /** Signing clock. */
  now?: () => Date;
  trace?: Trace;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** Attempts in all, for retryable failures. Default 4. */
  maxAttempts?: number;
  /** Backoff base: attempt n waits a random time up to base × 2^(n-1), capped at 5 s. Default 200 ms. */
  retryBaseMs?: number;
  fetch?: typeof fetch;
  /** Where proxy and CA settings are read when no `fetch` is given (src/aws-transport/aws-network.ts). */
  env?: NodeJS.ProcessEnv;
  /** The profile whose `ca_bundle` applies. */
  profile?: string;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Called for every HTTP answer (success or error), with the status and the server's `Date`
   * header when it sent a readable one: `doctor` measures the clock skew with it, including when
   * the service refuses the signature because of that skew.
   */
  onResponse?: (answer: { status: number; serverDate?: Date }) => void;
}

export interface QueryCallOptions extends QueryTuning {
  /** Signing name: `sts`, `iam`. */
  service: string;
  /** The API's `Version` parameter. */
  apiVersion: string;
  /** Signing region. */
  region: string;
  /** The URL to POST to. */
  endpoint: string;
  credentials: QueryCredentials;
}

export interface QueryErrors {
  /** The error for an AWS error answer (status ≥ 300) after `attempts` attempts. */
  answer(status: number, code: string, message: string, attempts: number, retriedAfterNetworkError: boolean): Error;
  /** The error for a request that got no answer. */
  network(failure: NetworkFailure, attempts: number, timeoutMs: number): Error;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_ATTEMPTS = 4;
export const DEFAULT_RETRY_BASE_MS = 200;
/**
 * No answer of a query API is near this (an STS answer with a large session token is a few KB):
 * anything bigger is not the service, and is not read into memory or retried.
 */
export const MAX_RESPONSE_BYTES = 256 * 1024;
const MAX_BACKOFF_MS = 5_000;

/** One action with retries; returns the XML body of a 2xx answer. */
export async function callQueryApi(
  options: QueryCallOptions,
  action: string,
  params: Record<string, string | number | undefined>,
  errors: QueryErrors,
): Promise<string> {
  const { service, endpoint, credentials } = options;
  const trace = options.trace ?? silentTrace;
  const doFetch = options.fetch ?? (await awsNetwork({ env: options.env ?? process.env, profile: options.profile, trace })).fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const base = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  const url = new URL(endpoint);
  const body = formEncode({ Action: action, Version: options.apiVersion, ...params });
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    region: options.region,
    service,
    sha256: Sha256,
    applyChecksum: false,
  });
  let retriedAfterNetworkError = false;

  for (let attempt = 1; ; attempt++) {
    // Signed afresh each attempt: the signature carries the time.
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query: {},
        headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
      },
      { signingDate: (options.now ?? (() => new Date()))() },
    );
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) if (name.toLowerCase() !== 'host') headers[name] = value;
    const started = performance.now();
    trace(`${service} ${action} -> ${endpoint} as ${mask(credentials.accessKeyId)}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);

    let status: number;
    let text: string;
    try {
      const response = await fetchBounded(doFetch, endpoint, { method: 'POST', headers, body }, { maxBytes: MAX_RESPONSE_BYTES, timeoutMs });
      status = response.status;
      text = response.text;
      if (options.onResponse) {
        const serverDate = new Date(response.headers.get('date') ?? '');
        options.onResponse(Number.isNaN(serverDate.getTime()) ? { status } : { status, serverDate });
      }
    } catch (error) {
      const failure = classifyNetworkError(error);
      trace(`${service} ${action}: network error ${failure.code} after ${(performance.now() - started).toFixed(0)} ms`);
      if (failure.retryable && attempt < maxAttempts) {
        retriedAfterNetworkError = true;
        await backoff(attempt, base, sleep, trace, service);
        continue;
      }
      throw errors.network(failure, attempt, timeoutMs);
    }
    if (status >= 200 && status < 300) {
      trace(`${service} ${action}: HTTP ${status} in ${(performance.now() - started).toFixed(0)} ms`);
      return text;
    }
    const code = xmlText(xmlInner(text, 'Error') ?? '', 'Code') ?? `HTTP${status}`;
    const message = xmlText(xmlInner(text, 'Error') ?? '', 'Message') ?? (status >= 500 ? '' : `HTTP ${status} without an AWS error`);
    trace(`${service} ${action}: HTTP ${status} ${code} in ${(performance.now() - started).toFixed(0)} ms`);
    if (isRetryableAnswer(status, code) && attempt < maxAttempts) {
      await backoff(attempt, base, sleep, trace, service);
      continue;
    }
    throw errors.answer(status, code, message, attempt, retriedAfterNetworkError);
  }
}

async function backoff(attempt: number, base: number, sleep: (ms: number) => Promise<void>, trace: Trace, service: string): Promise<void> {
  // Full jitter: concurrent clients that were throttled together do not come back together.
  const ms = Math.round(Math.random() * Math.min(MAX_BACKOFF_MS, base * 2 ** (attempt - 1)));
  trace(`${service}: retrying in ${ms} ms`);
  await sleep(ms);
}

/** `application/x-www-form-urlencoded` with RFC 3986 escaping (what the SDKs send). */
export function formEncode(params: Record<string, string | number | undefined>): string {
  return Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${rfc3986(key)}=${rfc3986(String(value))}`)
    .join('&');
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
