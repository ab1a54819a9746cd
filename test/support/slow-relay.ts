// A TCP relay on loopback that delivers the server's bytes `delayMs` late: a service that answers
// correctly but slowly (a far region, a busy endpoint), in front of any loopback stand-in. The
// client's bytes go through at once; order is kept (equal timeouts fire in the order set).
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface SlowRelay {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startSlowRelay(targetPort: number, delayMs: number): Promise<SlowRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => setTimeout(() => client.write(chunk), delayMs));
    upstream.on('end', () => setTimeout(() => client.end(), delayMs));
    client.once('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
