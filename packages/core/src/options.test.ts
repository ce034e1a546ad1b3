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
    [{ base_url: 42 }, /baseUrl/],
    [{ heartbeat_delay: 'soon' }, /heartbeatDelay/],
    [{ disconnect_delay: 0 }, /disconnectDelay/],
    [{ websocket: 'false' }, /websocket/],
    [{ log: null }, /log/],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => resolveOptions(input as never),
      (error: unknown) => isSockJSError(error) && error.name === 'TypeError' && error.code === 'SOCKJS_ERR_INVALID_OPTION' && message.test(error.message),
      JSON.stringify(input),
    );
  }
});

test('values sockjs-node 0.3.24 accepted keep its meaning, each with one deprecation warning through log', () => {
  const lines: string[] = [];
  const log = (severity: string, message: string) => {
    if (message.includes('DeprecationWarning')) lines.push(`${severity} ${message}`);
  };
  const legacy = { jsessionid: 'yes', sockjs_url: 'sockjs.min.js', heartbeat_delay: '25000', disconnect_delay: 5000.5, response_limit: '4096', websocket: 0, log };
  const o = resolveOptions(legacy as never);
  assert.equal(o.jsessionid, true);
  assert.equal(o.sockjsUrl, 'sockjs.min.js');
  assert.equal(o.heartbeatDelay, 25000);
  assert.equal(o.disconnectDelay, 5001);
  assert.equal(o.responseLimit, 4096);
  assert.equal(o.websocket, false);
  assert.equal(resolveOptions({ jsessionid: 1, log } as never).jsessionid, true);
  assert.equal(resolveOptions({ jsessionid: 0 } as never).jsessionid, false);
  resolveOptions(legacy as never);
  assert.equal(lines.length, 6, lines.join('\n'));
  assert.ok(lines.every((line) => line.startsWith('info DeprecationWarning: option "')));
  assert.ok(lines.some((line) => line.includes('"heartbeatDelay": "25000" is taken as 25000')));
});

test('whole numbers and absolute URLs warn about nothing', () => {
  const lines: string[] = [];
  resolveOptions({ heartbeat_delay: 10, sockjs_url: 'https://cdn.example/sockjs.js', jsessionid: true, websocket: true, log: (_s, m) => lines.push(m) });
  assert.deepEqual(lines.filter((m) => m.includes('Deprecation')), []);
});
