// For the unit tests next to the modules: a plain http.Server on an ephemeral
// loopback port, torn down (with the given services) after the test.
import http from 'node:http';
import type net from 'node:net';
import { once } from 'node:events';
import type { SockJSServer } from '../server.js';

/** Requests no service claims are answered `app`, as an application behind the services would. */
export async function listening(t: { after(fn: () => unknown): void }, ...services: SockJSServer[]): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((_req, res) => res.end('app'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    await Promise.all(services.map((s) => s.close()));
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { server, port: (server.address() as net.AddressInfo).port };
}
