// Every HTTP answer cc-helper reads, bounded in size and time, whoever made the request:
// - fetchBounded: cc-helper's own clients (STS, IAM, the SSO portal): one deadline for the whole
//   exchange (connect, headers and body: fetch's signal also ends a body that drips), and the
//   body read only up to the limit;
// - boundedFetch: a fetch for the SDK's FetchHttpHandler (its STS and SSO clients behind a
//   proxy) whose answers stop at the limit the same way;
// - guardSdkRequests: for the SDK's providers that make their own node:http requests and take no
//   request handler (container credentials read the answer whole, instance metadata collects
//   every chunk): each request they start is seen through node's `http.client.request.start`
//   diagnostics channel, its socket's bytes are counted as they arrive, and the request is
//   destroyed past the limit or the deadline. Nothing is re-implemented: the SDK keeps its own
//   protocol (IMDSv2 tokens, endpoint rules, container URL checks); only the bounds are added.

/** classifyNetworkError reads its `code`: never retried (a second try would be as big). */
export class ResponseTooLarge extends Error {
  readonly code = 'ResponseTooLarge';
  constructor(readonly maxBytes: number) {
    super(`the answer is larger than ${maxBytes} bytes`);
  }
}

export interface AnswerBounds {
  /** The largest body accepted. */
  maxBytes: number;
  /** The whole exchange, connect to last byte. */
  timeoutMs: number;
}

/** One request with its answer read whole, or a ResponseTooLarge / TimeoutError rejection. */
export async function fetchBounded(
  doFetch: typeof fetch,
  url: string,
  init: RequestInit,
  bounds: AnswerBounds,
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await doFetch(url, { ...init, signal: AbortSignal.timeout(bounds.timeoutMs) });
  return { status: response.status, headers: response.headers, text: await readLimited(response, bounds.maxBytes) };
}

/** The body as text, or a ResponseTooLarge past `max` bytes (read no further than that). */
export async function readLimited(response: Response, max: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '');
  if (declared > max) {
    await response.body?.cancel().catch(() => {});
    throw new ResponseTooLarge(max);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new ResponseTooLarge(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `doFetch` whose answers' bodies end in a ResponseTooLarge error past `maxBytes` (for the SDK's FetchHttpHandler). */
export function boundedFetch(doFetch: typeof fetch, maxBytes: number): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const response = await doFetch(input, init);
    const declared = Number(response.headers.get('content-length') ?? '');
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => {});
      throw new ResponseTooLarge(maxBytes);
    }
    if (!response.body) return response;
    let size = 0;
    const limited = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength;
          if (size > maxBytes) controller.error(new ResponseTooLarge(maxBytes));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(limited, { status: response.status, statusText: response.statusText, headers: response.headers });
  }) as typeof fetch;
}

export class DeadlineExceeded extends Error {}

type Socket = NodeJS.EventEmitter & { bytesRead: number };

interface ObservedRequest {
  socket: Socket | null;
  destroy(error?: Error): void;
  once(event: 'socket', listener: (socket: Socket) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Runs `work` (SDK code that makes node:http requests itself) with every request it starts
 * bounded: more than `maxBytes` received on a request's connection (headers included) destroys
 * it with ResponseTooLarge, and past `deadlineMs` (when given) every request still open is
 * destroyed and the run rejects with DeadlineExceeded, so no socket keeps the process alive.
 */
export async function guardSdkRequests<T>(bounds: { maxBytes: number; deadlineMs?: number }, work: () => Promise<T>): Promise<T> {
  const { subscribe, unsubscribe } = await import('node:diagnostics_channel');
  const open = new Set<ObservedRequest>();
  let tooLarge: ResponseTooLarge | undefined;
  const onRequest = (message: unknown) => {
    const request = (message as { request?: ObservedRequest }).request;
    if (!request) return;
    open.add(request);
    request.once('close', () => open.delete(request));
    const watch = (socket: Socket) => {
      // A kept-alive socket may have carried other answers: count from here.
      const start = socket.bytesRead;
      const count = () => {
        if (socket.bytesRead - start <= bounds.maxBytes) return;
        socket.removeListener('data', count);
        tooLarge = new ResponseTooLarge(bounds.maxBytes);
        request.destroy(tooLarge);
      };
      socket.on('data', count);
      request.once('close', () => socket.removeListener('data', count));
    };
    // Node assigns the socket before it publishes the request (a new connection's 'socket' event
    // comes later, with the same socket): watch it once.
    if (request.socket) watch(request.socket);
    else request.once('socket', watch);
  };
  subscribe('http.client.request.start', onRequest);
  let timer: NodeJS.Timeout | undefined;
  try {
    const guarded = work().catch((error: unknown) => {
      // The SDK wraps what it was given ("Unable to connect ..."): say what really happened.
      throw tooLarge ?? error;
    });
    if (bounds.deadlineMs === undefined) return await guarded;
    const deadlineMs = bounds.deadlineMs;
    return await Promise.race([
      guarded,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new DeadlineExceeded(`no answer within ${deadlineMs / 1000} s`);
          for (const request of open) request.destroy(error);
          reject(error);
        }, deadlineMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    unsubscribe('http.client.request.start', onRequest);
  }
}
