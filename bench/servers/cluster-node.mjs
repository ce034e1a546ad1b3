// One node of the cluster benchmark (bench/cluster.mjs): /echo and /broadcast
// as in ours.mjs, but the broadcast is the server's own `broadcast()`, which
// reaches every node's sessions. With BENCH_CLUSTER=redis://… the node joins
// that cluster; without it, it is the single-node reference of the same code.
import { createServer } from '@sockjs-server/core';
import { createRedisCluster } from '@sockjs-server/redis';
import { startServer } from './common.mjs';

const cluster = process.env.BENCH_CLUSTER ? createRedisCluster({ url: process.env.BENCH_CLUSTER, onError: () => {} }) : undefined;
await cluster?.ready;

startServer((server) => {
  const echo = createServer({ prefix: '/echo', cluster });
  echo.on('connection', (conn) => {
    conn.on('data', (message) => conn.write(message));
  });
  echo.attach(server);

  const broadcast = createServer({ prefix: '/broadcast', cluster });
  broadcast.on('connection', (conn) => {
    conn.on('data', (message) => broadcast.broadcast(message));
  });
  broadcast.attach(server);
});
