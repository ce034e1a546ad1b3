#!/usr/bin/env node
// The standard SockJS test server: the services of the sockjs-protocol suite
// (PROTOCOL.md Appendix A) plus /ticker, /amplify and /broadcast, mounted
// through the adapter named by --adapter. It also serves the sockjs-client
// bundle from the npm package so iframe transports work with no internet.
import http from 'node:http';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createServer } from '@sockjs-server/core';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '8081' },
    host: { type: 'string', default: '127.0.0.1' },
    adapter: { type: 'string', default: 'http' },
    quiet: { type: 'boolean', default: false },
    // redis://HOST:PORT: this process is one node of a cluster on that Redis.
    cluster: { type: 'string' },
  },
});

const require = createRequire(import.meta.url);
const clientBundlePath = require.resolve('sockjs-client/dist/sockjs.min.js');
const clientBundle = readFileSync(clientBundlePath);
const CLIENT_URL_PATH = '/lib/sockjs.min.js';

const log = args.quiet
  ? () => {}
  : (severity, message) => {
      // A node's view of the cluster (peers gone, broker lost and back) is what explains a cluster test's failure.
      if (severity === 'error' || message.startsWith('cluster:')) console.error(`[sockjs] ${message}`);
    };

let cluster;
if (args.cluster) {
  const { createRedisCluster } = await import('@sockjs-server/redis');
  cluster = createRedisCluster({ url: args.cluster, log, onError: () => {} });
  await cluster.ready;
}

const common = { sockjs_url: CLIENT_URL_PATH, log, hixie76: true, cluster };

/** name → [options, connection handler] */
const services = {
  echo: [{ response_limit: 4096 }, (conn) => conn.on('data', (m) => conn.write(m))],
  disabled_websocket_echo: [{ websocket: false }, (conn) => conn.on('data', (m) => conn.write(m))],
  cookie_needed_echo: [{ jsessionid: true }, (conn) => conn.on('data', (m) => conn.write(m))],
  close: [{}, (conn) => conn.close(3000, 'Go away!')],
  ticker: [
    {},
    (conn) => {
      const timer = setInterval(() => conn.write('tick!'), 1000);
      conn.on('close', () => clearInterval(timer));
    },
  ],
  amplify: [
    {},
    (conn) =>
      conn.on('data', (m) => {
        let n = Number(m);
        if (!Number.isInteger(n) || n < 1 || n > 18) n = 1;
        conn.write('x'.repeat(2 ** n));
      }),
  ],
  // Every member on every node (one node, or a cluster) gets each message once.
  broadcast: [{}, (conn) => conn.on('data', (m) => broadcastServer().broadcast(m))],
};

const sockjsServers = Object.entries(services).map(([name, [options, onConnection]]) => {
  const server = createServer({ ...common, ...options, prefix: `/${name}` });
  server.on('connection', onConnection);
  return server;
});
const broadcastServer = () => sockjsServers[Object.keys(services).indexOf('broadcast')];

function serveStatic(req, res) {
  if (req.url === CLIENT_URL_PATH || req.url.startsWith(`${CLIENT_URL_PATH}?`)) {
    res.writeHead(200, { 'Content-Type': 'application/javascript; charset=UTF-8', 'Content-Length': clientBundle.length });
    res.end(clientBundle);
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' });
  res.end('404 Not Found\n');
}

/** Express and Connect: `(req, res, next)` middleware, upgrades wired by `.attach(server)` before the first request. */
async function nodeMiddleware(frameworkModule, adapterModule) {
  const { default: framework } = await import(frameworkModule);
  const { sockjs } = await import(adapterModule);
  const app = framework();
  const server = http.createServer(app);
  for (const service of sockjsServers) app.use(sockjs(service).attach(server));
  app.use(serveStatic);
  return server;
}

async function koa(frameworkModule) {
  const { default: Koa } = await import(frameworkModule);
  const { sockjs } = await import('@sockjs-server/koa');
  const app = new Koa();
  const server = http.createServer();
  for (const service of sockjsServers) app.use(sockjs(service).attach(server));
  app.use((ctx) => {
    ctx.respond = false;
    serveStatic(ctx.req, ctx.res);
  });
  // app.callback() composes the middleware registered so far, so it comes last.
  server.on('request', app.callback());
  return server;
}

async function fastify(frameworkModule) {
  const { default: Fastify } = await import(frameworkModule);
  const { sockjs } = await import('@sockjs-server/fastify');
  const app = Fastify();
  for (const service of sockjsServers) await app.register(sockjs, { server: service });
  app.setNotFoundHandler((request, reply) => {
    reply.hijack();
    serveStatic(request.raw, reply.raw);
  });
  await app.ready();
  return app.server;
}

// The unversioned names are the current majors; the numbered ones are the npm aliases of the root package.json.
const mounts = {
  async http() {
    const server = http.createServer(serveStatic);
    for (const sockjs of sockjsServers) sockjs.attach(server);
    return server;
  },
  express: () => nodeMiddleware('express', '@sockjs-server/express'),
  express5: () => nodeMiddleware('express', '@sockjs-server/express'),
  express4: () => nodeMiddleware('express4', '@sockjs-server/express'),
  connect: () => nodeMiddleware('connect', '@sockjs-server/connect'),
  koa: () => koa('koa'),
  koa3: () => koa('koa'),
  koa2: () => koa('koa2'),
  fastify: () => fastify('fastify'),
  fastify5: () => fastify('fastify'),
  fastify4: () => fastify('fastify4'),
};

const mount = mounts[args.adapter];
if (!mount) {
  console.error(`unknown adapter "${args.adapter}"; known: ${Object.keys(mounts).join(', ')}`);
  process.exit(2);
}

const server = await mount();
server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  console.log(`listening on http://${args.host}:${port}`);
});

async function shutdown() {
  await Promise.all(sockjsServers.map((s) => s.close()));
  await cluster?.close();
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
