// Broadcast: every message from any client goes to every connected client,
// the smallest multi-user SockJS app. Plain http.Server, the modern API.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { broadcast, createServer } from '@sockjs-server/core';

const require = createRequire(import.meta.url);
const files = {
  '/': ['text/html; charset=UTF-8', readFileSync(new URL('index.html', import.meta.url))],
  // Served here, and named in sockjsUrl, so no page ever needs a CDN.
  '/sockjs.min.js': ['application/javascript; charset=UTF-8', readFileSync(require.resolve('sockjs-client/dist/sockjs.min.js'))],
};

const members = new Set();
const sockjs = createServer({ prefix: '/broadcast', sockjsUrl: '/sockjs.min.js' });
sockjs.on('connection', (conn) => {
  members.add(conn);
  conn.on('data', (message) => broadcast(members, message));
  conn.on('close', () => members.delete(conn));
});

const server = http.createServer((req, res) => {
  const file = files[new URL(req.url, 'http://x').pathname];
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
    return;
  }
  res.writeHead(200, { 'Content-Type': file[0] }).end(file[1]);
});
sockjs.attach(server);

const host = process.env.HOST ?? '127.0.0.1';
server.listen(Number(process.env.PORT ?? 9999), host, () => {
  console.log(`broadcast example on http://${host}:${server.address().port}/ (open it in two tabs)`);
});
