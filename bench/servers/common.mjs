// Shared plumbing of the benchmark server scripts: a tiny control channel
// under /__bench/ (memory after GC, CPU usage, exit), listening on 127.0.0.1
// only, and self-termination (parent gone, SIGTERM, hard time cap).
import http from 'node:http';
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';

const MAX_LIFETIME_MS = 10 * 60 * 1000;

function collect() {
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
}

/** Answers /__bench/* requests; returns false for every other URL. */
export function control(req, res) {
  if (!req.url.startsWith('/__bench/')) return false;
  const route = req.url.slice('/__bench/'.length);
  let body;
  if (route === 'mem') {
    collect();
    body = { ...process.memoryUsage(), gc: typeof global.gc === 'function' };
  } else if (route === 'cpu') {
    body = process.cpuUsage();
  } else if (route.startsWith('heap/') && process.env.BENCH_HEAP_DIR) {
    // bench/heap.mjs: a heap snapshot after GC, named by the caller.
    collect();
    body = { file: writeHeapSnapshot(join(process.env.BENCH_HEAP_DIR, `${route.slice(5).replace(/[^\w-]/g, '')}.heapsnapshot`)) };
  } else if (route === 'exit') {
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
    res.end('{}', () => process.exit(0));
    return true;
  } else {
    res.writeHead(404);
    res.end();
    return true;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return true;
}

/** Creates the HTTP server whose request listener is the control channel
 * (with `fallback` for every other URL), then calls `setup(server)` and
 * listens on an ephemeral port, printing `READY <port>` on stdout. */
export function startServer(setup, fallback = notFound) {
  const server = http.createServer((req, res) => {
    if (!control(req, res)) fallback(req, res);
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.maxConnections = Infinity;
  setup(server);
  const port = Number(process.env.BENCH_PORT ?? 0);
  server.listen({ host: '127.0.0.1', port, backlog: 4096 }, () => {
    process.stdout.write(`READY ${server.address().port}\n`);
  });
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The runner holds our stdin open; when it goes away, so do we.
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  setTimeout(stop, MAX_LIFETIME_MS).unref();
  return server;
}

function notFound(req, res) {
  res.writeHead(404);
  res.end();
}
