import type { Middleware } from 'koa';
import { handleMounted, toServer, withServer, type SockJSMount, type SockJSServer, type SockJSServerOptions } from '@sockjs-server/connect';

/** Koa middleware that also is the SockJS server's handle (`.on('connection')`, `.attach()`, `.close()`). */
export type KoaSockJSMiddleware = Middleware & SockJSMount;

/**
 * Koa middleware serving one SockJS service: requests under `prefix` go to
 * SockJS on the raw `ctx.req`/`ctx.res` with `ctx.respond = false`, so Koa
 * neither sets a body nor lets later middleware (or koa-compress) wrap it;
 * everything else goes to `next()`. Pass options or a `SockJSServer`.
 *
 * @example
 * const echo = sockjs({ prefix: '/echo' });
 * echo.on('connection', (conn) => conn.on('data', (m) => conn.write(m)));
 * app.use(echo);
 * app.listen(8080);
 */
export function sockjs(options?: SockJSServerOptions | SockJSServer): KoaSockJSMiddleware {
  const server = toServer(options);
  const middleware: Middleware = (ctx, next) => {
    // A body parser ahead of us read the stream and kept the text on ctx.request, where core cannot see it.
    const { rawBody } = ctx.request as { rawBody?: unknown };
    if (ctx.req.readableEnded && rawBody !== undefined && !('rawBody' in ctx.req)) Object.assign(ctx.req, { rawBody });
    if (!handleMounted(server, ctx.req, ctx.res, ctx.originalUrl)) return next();
    ctx.respond = false;
    // Koa reports socket errors of every response to app.on('error'); a client
    // leaving a SockJS stream is routine, and core already handles it.
    ctx.onerror = () => {};
    return Promise.resolve();
  };
  return withServer(middleware, server);
}

export { SockJSServer, type SockJSMount, type SockJSServerOptions, type AttachUpgradeOptions } from '@sockjs-server/connect';
