// The echo service on Express: the middleware serves /echo (WebSocket
// upgrades included), Express serves the page and the client bundle.
import express from 'express';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { sockjs } from '@sockjs-server/express';

const require = createRequire(import.meta.url);

const echo = sockjs({ prefix: '/echo', sockjsUrl: '/sockjs.min.js' });
echo.on('connection', (conn) => {
  conn.on('data', (message) => conn.write(message));
});

const app = express();
app.use(echo);
app.get('/', (_req, res) => res.sendFile(fileURLToPath(new URL('../echo-http/index.html', import.meta.url))));
// dotfiles: pnpm keeps packages under node_modules/.pnpm, which Express 5's sendFile refuses by default.
app.get('/sockjs.min.js', (_req, res) => res.sendFile(require.resolve('sockjs-client/dist/sockjs.min.js'), { dotfiles: 'allow' }));

const host = process.env.HOST ?? '127.0.0.1';
const server = app.listen(Number(process.env.PORT ?? 9999), host, () => {
  console.log(` [*] Listening on http://${host}:${server.address().port}/`);
});
