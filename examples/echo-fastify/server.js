// The echo service on Fastify: the plugin serves /echo (WebSocket upgrades
// included), two routes serve the page and the bundle.
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sockjs } from '@sockjs-server/fastify';

const require = createRequire(import.meta.url);
const page = readFileSync(new URL('../echo-http/index.html', import.meta.url));
const bundle = readFileSync(require.resolve('sockjs-client/dist/sockjs.min.js'));

const fastify = Fastify();
await fastify.register(sockjs, {
  prefix: '/echo',
  sockjsUrl: '/sockjs.min.js',
  onConnection: (conn) => conn.on('data', (message) => conn.write(message)),
});
fastify.get('/', (_request, reply) => reply.type('text/html; charset=UTF-8').send(page));
fastify.get('/sockjs.min.js', (_request, reply) => reply.type('application/javascript; charset=UTF-8').send(bundle));

const host = process.env.HOST ?? '127.0.0.1';
await fastify.listen({ port: Number(process.env.PORT ?? 9999), host });
console.log(` [*] Listening on http://${host}:${fastify.server.address().port}/`);
