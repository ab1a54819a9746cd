// What the loopback stand-ins for AWS's HTTP services share: a server on 127.0.0.1 at a free
// port whose close() drops every open connection (a client's keep-alive socket would otherwise
// hold close() open, and a test that closes a stand-in means "the URL is unreachable now"); a
// request body read up to a bound (a hostile client cannot make a stand-in buffer without end);
// the JSON answer the REST-JSON services send; and hand-made answers for hostile-server tests.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Server, Socket } from 'node:net';

/** A hand-made answer, for hostile-server tests: any status, headers and bytes. */
export interface RawAnswer {
  status: number;
  body: string | Buffer;
  headers?: Record<string, string>;
  /** Sent without Content-Length (chunked), as a server that streams would. */
  chunked?: boolean;
  /** Wait this long before the first byte (a slow server). */
  delayMs?: number;
}

export interface Listening {
  port: number;
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** Stops listening and drops every connection: the URL is then unreachable. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 at a port the system picks; rejects if it cannot. */
export async function listenOnLoopback(server: Server): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** The request's body, or nothing when it grows past `maxBytes` (the connection is destroyed). */
export function readBody(req: IncomingMessage, maxBytes: number, then: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) req.destroy();
    else chunks.push(chunk);
  });
  req.on('end', () => then(Buffer.concat(chunks)));
}

/** A REST-JSON answer as AWS sends it: a request id, and on an error the `x-amzn-errortype` header. */
export function sendJson(res: ServerResponse, status: number, json: unknown, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': randomBytes(8).toString('hex') };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(JSON.stringify(json));
}

/** Sends a hand-made answer exactly as given (after its delay). */
export function sendRaw(res: ServerResponse, answer: RawAnswer, contentType = 'application/json'): void {
  const send = () => {
    const headers: Record<string, string> = { 'content-type': contentType, ...answer.headers };
    if (!answer.chunked) headers['content-length'] = String(Buffer.byteLength(answer.body));
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };
  if (answer.delayMs) setTimeout(send, answer.delayMs);
  else send();
}
