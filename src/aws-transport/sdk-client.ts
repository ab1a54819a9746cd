// The AWS SDK's clients held to cc-helper's guarantees, in one place: every client cc-helper
// makes (fromIni's STS and SSO clients in credential-sources/sdk-credentials.ts; the nested sso-oidc and signin
// clients that refresh sign-ins) sends through sdkRequestHandler, which is
// - the same transport as cc-helper's own calls (src/aws-transport/aws-network.ts: HTTPS_PROXY, NO_PROXY,
//   AWS_CA_BUNDLE / ca_bundle, through the same fetch);
// - bounded in size by the one bounded reader (bounded-answer.ts: past the limit the body errors);
// - timed per attempt by an abort signal on the request (it ends a body that drips, and frees
//   the socket), and sendWithin adds a deadline for the whole call.
// nestedClientSettings gives a nested client every setting it would otherwise look up itself in
// the shared files (with its own unbounded reader and parser) or the environment (its own
// endpoint variables): cc-helper has decided them already.
import { DEFAULT_TIMEOUT_MS, MAX_RESPONSE_BYTES } from './query-api.js';
import { classifyNetworkError } from './query-error.js';
import type { AwsNetwork } from './aws-network.js';
import { boundedFetch, ResponseTooLarge } from './bounded-answer.js';

/**
 * The request handler of every SDK client cc-helper builds. The per-attempt timeout is an abort
 * signal on the request itself: the handler's own requestTimeout only stops waiting, and would
 * leave a silent server's socket open (and git waiting for this process to end).
 */
export async function sdkRequestHandler(network: AwsNetwork, bounds: { timeoutMs?: number; maxBytes?: number } = {}) {
  const { FetchHttpHandler } = await import('@smithy/fetch-http-handler');
  const timeoutMs = bounds.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timed = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    // A controller and a timer of its own, not AbortSignal.timeout/any: Node 20 can collect
    // those signals before they fire when nothing else holds them.
    const controller = new AbortController();
    setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs / 1000} s`, 'TimeoutError')), timeoutMs).unref();
    // The SDK's own signal (sendWithin's deadline) rides on the Request it hands over.
    const outer = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (outer?.aborted) controller.abort(outer.reason);
    else outer?.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
    return network.fetch(input, { ...init, signal: controller.signal });
  }) as typeof fetch;
  return new FetchHttpHandler({ customFetch: boundedFetch(timed, bounds.maxBytes ?? MAX_RESPONSE_BYTES), requestTimeout: timeoutMs + 1_000 });
}

/**
 * The SDK warns on stderr about future Node versions; a credential helper's stderr reaches the
 * user on every git command, and the versions pinned in package.json run on Node 20.
 */
export function silenceSdkWarnings(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

const SILENT_LOGGER = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * Settings for a nested client (sso-oidc, signin) that leave it nothing to look up: the region,
 * the endpoint (`endpoint`: an override cc-helper read and checked; otherwise the SDK's own rules
 * for the region, never the SDK's reading of AWS_ENDPOINT_URL_* or the config file), one attempt
 * (a refresh sent twice presents a spent refresh token, which can end the sign-in session), no
 * FIPS or dual-stack, no app id, a logger that prints nothing.
 */
export async function nestedClientSettings(options: { network: AwsNetwork; region: string; endpoint?: string | undefined }) {
  silenceSdkWarnings();
  return {
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ignoreConfiguredEndpointUrls: true,
    requestHandler: await sdkRequestHandler(options.network),
    maxAttempts: 1,
    retryMode: 'standard',
    defaultsMode: 'standard' as const,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    userAgentAppId: '',
    authSchemePreference: [] as string[],
    logger: SILENT_LOGGER,
  };
}

/**
 * Why an SDK call got no usable answer, in words that hold nothing of the request or the answer
 * (the SDK's own messages quote the body it could not parse): too large, too slow, TLS, the
 * network's code, or the HTTP status and error name.
 */
export function sdkFailureReason(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ResponseTooLarge) return `an answer larger than ${e.maxBytes} bytes`;
    if (e instanceof SdkDeadlineExceeded) return e.message;
  }
  const network = classifyNetworkError(error);
  if (network.tls) return `its TLS certificate cannot be verified (${network.code}): behind a TLS-inspecting proxy, point AWS_CA_BUNDLE (or the profile's ca_bundle) at the proxy's CA`;
  if (network.code === 'TimeoutError') return `no answer within ${DEFAULT_TIMEOUT_MS / 1000} s`;
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  const name = (error as { name?: unknown } | null)?.name;
  const safeName = typeof name === 'string' && /^[A-Za-z]{1,64}$/.test(name) ? name : undefined;
  if (typeof status === 'number') {
    if (safeName === 'SyntaxError' || safeName === 'Error' || safeName === undefined) return `an answer that is not the service's (HTTP ${status})`;
    return `HTTP ${status} ${safeName}`;
  }
  return network.code === 'network error' && safeName ? safeName : network.code;
}

/** The longest one SDK call may take, retries and a dripping body included. */
export const SDK_CALL_DEADLINE_MS = 2 * DEFAULT_TIMEOUT_MS;

export class SdkDeadlineExceeded extends Error {
  readonly code = 'TimeoutError';
}

/**
 * `send(signal)` (a client.send(command, { abortSignal: signal })) with a deadline that holds:
 * the signal aborts the request (and its body), and the call is given up on at the deadline
 * even if something in the SDK did not listen.
 */
export async function sendWithin<T>(deadlineMs: number, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new SdkDeadlineExceeded(`no answer within ${deadlineMs / 1000} s`);
      controller.abort(error);
      reject(error);
    }, deadlineMs);
  });
  try {
    return await Promise.race([send(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    // Whatever the SDK still has open (a request it gave up on) ends with the call.
    controller.abort();
  }
}
