// TLS in front of a plain-HTTP loopback stand-in (the STS one): terminates TLS with a
// certificate from a throwaway CA and splices the bytes to the stand-in's port, so a client must
// trust that CA (AWS_CA_BUNDLE, ca_bundle, NODE_EXTRA_CA_CERTS) to talk to it.
import { connect, type Socket } from 'node:net';
import { createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { ThrowawayCa } from './throwaway-ca.js';

export interface TlsFront {
  port: number;
  close(): Promise<void>;
}

export async function startTlsFront(targetPort: number, ca: ThrowawayCa): Promise<TlsFront> {
  const sockets = new Set<Socket>();
  const server = createServer({ cert: ca.certPem, key: ca.keyPem }, (client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  // A client that refuses the certificate ends the handshake: not an error of the front.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
