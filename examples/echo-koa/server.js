// The echo service on Koa: the middleware serves /echo (WebSocket upgrades
// included), a second middleware serves the page and the bundle.
import Koa from 'koa';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sockjs } from '@sockjs-server/koa';

const require = createRequire(import.meta.url);
const files = {
  '/': ['text/html; charset=UTF-8', readFileSync(new URL('../echo-http/index.html', import.meta.url))],
  '/sockjs.min.js': ['application/javascript; charset=UTF-8', readFileSync(require.resolve('sockjs-client/dist/sockjs.min.js'))],
};

const echo = sockjs({ prefix: '/echo', sockjsUrl: '/sockjs.min.js' });
echo.on('connection', (conn) => {
  conn.on('data', (message) => conn.write(message));
});

const app = new Koa();
app.use(echo);
app.use((ctx) => {
  const file = files[ctx.path];
  if (!file) return;
  ctx.type = file[0];
  ctx.body = file[1];
});

const host = process.env.HOST ?? '127.0.0.1';
const server = app.listen(Number(process.env.PORT ?? 9999), host, () => {
  console.log(` [*] Listening on http://${host}:${server.address().port}/`);
});
