import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as core from '@sockjs-server/core';

const require = createRequire(import.meta.url);

test("the ESM and CJS builds both have createServer, listen and a default export of them, over core's server", async () => {
  const esm = (await import('../dist/index.js')) as Record<string, unknown> & { default: Record<string, unknown> };
  const cjs = require('../dist/index.cjs') as Record<string, unknown> & { default: Record<string, unknown> };
  for (const build of [esm, cjs]) {
    assert.deepEqual(Object.keys(build.default).sort(), ['createServer', 'listen']);
    assert.equal(build.default.createServer, build.createServer);
    const server = (build.createServer as (o: object) => unknown)({ sockjs_url: '/s.js' });
    assert.ok(server instanceof (build === esm ? core.SockJSServer : require('@sockjs-server/core').SockJSServer));
  }
});

test("lib/transport is core's legacy facade, under both entry names and in both builds", async () => {
  const coreSession = require('@sockjs-server/core/lib/transport').Session as unknown;
  for (const name of ['@sockjs-server/sockjs/lib/transport', '@sockjs-server/sockjs/lib/transport.js']) {
    assert.equal(require(name).Session, coreSession, name);
  }
  const esm = (await import('../dist/lib/transport.js')) as { Session: unknown; Transport: Record<string, number> };
  assert.equal(typeof esm.Session, 'function');
  assert.deepEqual({ ...esm.Transport }, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
});
