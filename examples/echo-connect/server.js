// The echo service on Connect: the middleware serves /echo (WebSocket
// upgrades included), a second middleware serves the page and the bundle.
import connect from 'connect';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sockjs } from '@sockjs-server/connect';

const require = createRequire(import.meta.url);
const files = {
  '/': ['text/html; charset=UTF-8', readFileSync(new URL('../echo-http/index.html', import.meta.url))],
  '/sockjs.min.js': ['application/javascript; charset=UTF-8', readFileSync(require.resolve('sockjs-client/dist/sockjs.min.js'))],
};

const echo = sockjs({ prefix: '/echo', sockjsUrl: '/sockjs.min.js' });
echo.on('connection', (conn) => {
  conn.on('data', (message) => conn.write(message));
});

const app = connect();
app.use(echo);
app.use((req, res, next) => {
  const file = files[req.url.split('?')[0]];
  if (!file) return next();
  res.writeHead(200, { 'Content-Type': file[0] }).end(file[1]);
});

const host = process.env.HOST ?? '127.0.0.1';
const server = http.createServer(app);
server.listen(Number(process.env.PORT ?? 9999), host, () => {
  console.log(` [*] Listening on http://${host}:${server.address().port}/`);
});
