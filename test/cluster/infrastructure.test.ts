// The real parts the cluster suite stands on: a throwaway redis-server that
// can be killed and restarted on its port, and HAProxy spreading the requests
// of one client connection over every backend (no stickiness).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { missingBinary } from '../helpers/external-service.ts';
import { startRedis } from '../helpers/redis-server.ts';
import { startHaproxy } from '../helpers/haproxy.ts';

/** One RESP command over a fresh socket; resolves with the raw reply. */
async function redisCommand(port: number, ...words: string[]): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join('')}`);
  const [reply] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return reply.toString();
}

test('redis-server: starts on its own port, loses its data when killed, serves again after restart', { skip: missingBinary('redis-server') }, async () => {
  const redis = await startRedis();
  try {
    assert.equal(await redisCommand(redis.port, 'SET', 'k', 'v'), '+OK\r\n');
    // SET … NX GET (Redis 7) is what session ownership will rest on: nil when claimed, the owner otherwise.
    assert.equal(await redisCommand(redis.port, 'SET', 's', 'node-a', 'NX', 'GET'), '$-1\r\n');
    assert.equal(await redisCommand(redis.port, 'SET', 's', 'node-b', 'NX', 'GET'), '$6\r\nnode-a\r\n');
    await redis.kill();
    await assert.rejects(redisCommand(redis.port, 'PING'));
    await redis.restart();
    assert.equal(await redisCommand(redis.port, 'GET', 'k'), '$-1\r\n');
  } finally {
    await redis.stop();
  }
});

test('haproxy: requests on one keep-alive client connection go round-robin over every backend', { skip: missingBinary('haproxy') }, async () => {
  const backends = await Promise.all(
    ['a', 'b', 'c'].map(async (name) => {
      const server = http.createServer((_req, res) => res.end(name));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return server;
    }),
  );
  const proxy = await startHaproxy(backends.map((s) => (s.address() as { port: number }).port));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(`${proxy.baseUrl}/`, { agent }, resolve).on('error', reject));
      let body = '';
      for await (const chunk of res) body += String(chunk);
      seen.push(body);
    }
    assert.deepEqual([...seen].sort(), ['a', 'a', 'b', 'b', 'c', 'c']);
    assert.notEqual(seen[0], seen[1], 'two requests in a row reached the same backend');
  } finally {
    agent.destroy();
    await proxy.stop();
    for (const server of backends) server.close();
  }
});
