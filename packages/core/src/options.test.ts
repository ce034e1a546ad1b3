import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSockJSError } from './errors.js';
import { resolveOptions } from './options.js';

test('defaults match sockjs-node', () => {
  const o = resolveOptions();
  assert.equal(o.prefix, '');
  assert.equal(o.responseLimit, 131072);
  assert.equal(o.heartbeatDelay, 25000);
  assert.equal(o.disconnectDelay, 5000);
  assert.equal(o.websocket, true);
  assert.equal(o.jsessionid, false);
  assert.equal(o.transports.size, 7);
  assert.ok(Object.isFrozen(o));
});

test('sockjs-node snake_case names are aliases', () => {
  const o = resolveOptions({ response_limit: 4096, heartbeat_delay: 10, disconnect_delay: 20, disable_cors: true, sockjs_url: '/s.js', faye_server_options: { maxLength: 99 } });
  assert.equal(o.responseLimit, 4096);
  assert.equal(o.heartbeatDelay, 10);
  assert.equal(o.disconnectDelay, 20);
  assert.equal(o.disableCors, true);
  assert.equal(o.sockjsUrl, '/s.js');
  assert.equal(o.maxMessageSize, 99);
});

test('one trailing slash of the prefix is dropped', () => {
  assert.equal(resolveOptions({ prefix: '/echo/' }).prefix, '/echo');
});

test('websocket: false removes both WebSocket transports', () => {
  const o = resolveOptions({ websocket: false });
  assert.ok(!o.transports.has('websocket'));
  assert.ok(!o.transports.has('websocket-raw'));
});

test('misuse throws a TypeError with a coded, readable message', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ prefix: 'echo' }, /prefix/],
    [{ response_limit: 0 }, /responseLimit/],
    [{ transports: ['carrier-pigeon'] }, /unknown transport carrier-pigeon/],
    [{ sockjs_url: 'javascript:alert(1)' }, /sockjsUrl/],
    [{ response_limit: 1, responseLimit: 2 }, /same option/],
    [{ jsessionid: 'yes' }, /jsessionid/],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => resolveOptions(input as never),
      (error: unknown) => isSockJSError(error) && error.name === 'TypeError' && error.code === 'SOCKJS_ERR_INVALID_OPTION' && message.test(error.message),
      JSON.stringify(input),
    );
  }
});
