import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { SockJSError, SockJSServer, type Connection, type SockJSServerOptions } from '@sockjs-server/core';

/** Options of the plugin: the SockJS server options, or a `server` you built. */
export interface FastifySockJSOptions extends SockJSServerOptions {
  /** Called with every new connection (the same as `server.on('connection', …)`). */
  onConnection?: (connection: Connection) => void;
  /**
   * A `SockJSServer` to serve instead of building one from these options
   * (which must then be absent: giving both throws `SOCKJS_ERR_INVALID_OPTION`).
   */
  server?: SockJSServer;
}

// Async so that invalid options reject `register()` instead of throwing inside avvio.
const plugin: FastifyPluginAsync<FastifySockJSOptions> = async (fastify, options) => {
  const { onConnection, server, ...sockjsOptions } = options;
  if (server && Object.keys(sockjsOptions).length > 0) {
    throw new SockJSError('SOCKJS_ERR_INVALID_OPTION', `give either \`server\` or SockJS options, not both (got ${Object.keys(sockjsOptions).join(', ')})`);
  }
  const sockjs = server ?? new SockJSServer(sockjsOptions);
  if (onConnection) sockjs.on('connection', onConnection);
  // onRequest runs before Fastify parses the body: its parsers would refuse
  // jsonp_send's forms, and its bodyLimit is not ours to apply.
  fastify.addHook('onRequest', (request, reply, next) => {
    if (sockjs.handleRequest(request.raw, reply.raw)) reply.hijack();
    next();
  });
  sockjs.attachUpgrade(fastify.server);
  // preClose, not onClose: open streams and WebSockets would keep server.close() waiting.
  fastify.addHook('preClose', (next) => void sockjs.close().then(() => next(), next));
};

/**
 * Fastify plugin serving one SockJS service at `prefix` (a full path: register
 * it at the root). Upgrades are wired on `fastify.server` at registration and
 * every session ends when Fastify closes.
 *
 * @example
 * await fastify.register(sockjs, {
 *   prefix: '/echo',
 *   onConnection: (conn) => conn.on('data', (m) => conn.write(m)),
 * });
 * await fastify.listen({ port: 8080 });
 */
export const sockjs = fp(plugin, { fastify: '4.x || 5.x', name: '@sockjs-server/fastify' });
export default sockjs;

export { SockJSServer, type Connection, type SockJSServerOptions } from '@sockjs-server/core';
