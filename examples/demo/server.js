// The demo: a chat room with presence, served by Express through
// @sockjs-server/express. `npm run demo` at the repository root starts it.
import express from 'express';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { sockjs } from '@sockjs-server/express';
import { liveStats } from './live-stats.js';
import { ChatRoom } from './room.js';

const require = createRequire(import.meta.url);
const CLIENT_BUNDLE = require.resolve('sockjs-client/dist/sockjs.min.js');

const room = new ChatRoom();
// sockjsUrl names the bundle served below: the iframe transports load it
// inside their iframe, and it must be the very build the page uses.
const chat = sockjs({ prefix: '/chat', sockjsUrl: '/lib/sockjs.min.js' });
chat.on('connection', (conn) => room.add(conn));
const live = liveStats(chat);

const app = express();
app.use(chat);
// The live panel polls this: plain HTTP, so watching adds no SockJS traffic to what it shows.
app.get('/stats.json', (_req, res) => res.set('Cache-Control', 'no-store').json(live.current()));
// dotfiles: pnpm keeps packages under node_modules/.pnpm, which Express 5's sendFile refuses by default.
app.get('/lib/sockjs.min.js', (_req, res) => res.sendFile(CLIENT_BUNDLE, { dotfiles: 'allow' }));
app.use(express.static(fileURLToPath(new URL('public', import.meta.url))));

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8081);
const server = app.listen(port, host, () => {
  console.log(`SockJS chat demo: open http://${host}:${server.address().port}/ in two browser tabs (Ctrl+C stops it)`);
});
// Raw WebSocket clients may connect before any HTTP request reaches the
// middleware; wiring upgrades now covers them too.
chat.attach(server);

async function shutdown() {
  live.stop();
  await chat.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
