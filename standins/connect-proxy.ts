// A loopback HTTP CONNECT proxy, so real git can use the real, portless CodeCommit URL
// (`https://git-codecommit.us-east-1.amazonaws.com/...`) while talking to a local stand-in:
// `git -c http.proxy=<url>` tunnels TLS through us and we splice it to 127.0.0.1:<port>.
// The TLS session is end to end (git ↔ stand-in), so SNI and certificate checks are real.
//
// It only ever dials 127.0.0.1: a destination without a route gets 403, is recorded, and
// nothing leaves the machine.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { listenOnLoopback } from './loopback-http.js';

export interface ConnectProxy {
  port: number;
  /** `http://127.0.0.1:PORT`, for `http.proxy`. */
  url: string;
  /** Every CONNECT target asked for (`host:port`), routed or not, in order. */
  connects: string[];
  /** The CONNECT targets (and plain-HTTP URLs) that were refused with 403. */
  refused: string[];
  /** The Proxy-Authorization header of each CONNECT, in order ('' when there was none). */
  authorizations: string[];
  close(): Promise<void>;
}

/** A route table for the usual case: these hostnames on port 443 go to one local port. */
export function routeHostsTo(localPort: number, hostnames: readonly string[]): (host: string, port: number) => number | undefined {
  const names = new Set(hostnames.map((h) => h.toLowerCase()));
  return (host, port) => (port === 443 && names.has(host.toLowerCase()) ? localPort : undefined);
}

export async function startConnectProxy(options: { routes: (host: string, port: number) => number | undefined }): Promise<ConnectProxy> {
  const connects: string[] = [];
  const refused: string[] = [];
  const authorizations: string[] = [];

  // Plain HTTP (not CONNECT) would mean forwarding to an arbitrary origin: refuse.
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    refused.push(`${req.method ?? '?'} ${req.url ?? ''}`);
    res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' });
    res.end('This proxy only tunnels to the CodeCommit stand-in\n');
  });

  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    authorizations.push(req.headers['proxy-authorization'] ?? '');
    client.on('error', () => {});
    // `host:port`, or `[v6]:port`; the host is only ever used as a lookup key.
    const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(target);
    const localPort = m ? options.routes(m[1]!, Number(m[2])) : undefined;
    if (localPort === undefined) {
      refused.push(target);
      client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: localPort });
    upstream.on('error', () => {
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
    });
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      // Bytes the client sent after the CONNECT head (usually none; TLS waits for the 200).
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    // Closing the proxy drops every client connection, tunnels too, and with them their upstreams.
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });

  // Tunnels are not HTTP requests any more, so closeAllConnections() would miss them: the
  // loopback listener destroys every socket it accepted.
  const listening = await listenOnLoopback(server);
  return { port: listening.port, url: listening.url.slice(0, -1), connects, refused, authorizations, close: listening.close };
}
