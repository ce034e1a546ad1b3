import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router, isUnderPrefix, splitUrl } from './router.js';

const router = new Router([
  { method: 'GET', path: '', handler: 'greeting' },
  { method: 'OPTIONS', path: '/info', handler: 'info-options' },
  { method: 'GET', path: '/info', handler: 'info' },
  { method: 'GET', path: '/iframe{:suffix}.html', handler: 'iframe' },
  { method: 'POST', path: '/:server/:session/xhr', handler: 'xhr' },
  { method: 'OPTIONS', path: '/:server/:session/xhr', handler: 'xhr-options' },
  { method: 'GET', path: '/:server/:session/websocket', handler: 'websocket' },
]);

test('greeting matches the empty path and one slash only', () => {
  assert.equal(router.route('GET', '').kind, 'found');
  assert.equal(router.route('GET', '/').kind, 'found');
  assert.equal(router.route('GET', '//').kind, 'not-found');
});

test('session ids are taken undecoded and may not contain dots or be empty', () => {
  const found = router.route('POST', '/000/abcdefgh_i-j%20/xhr');
  assert.equal(found.kind, 'found');
  const params = found.kind === 'found' ? found.params : {};
  assert.deepEqual([params.server, params.session, params.suffix], ['000', 'abcdefgh_i-j%20', undefined]);
  for (const bad of ['//xhr', '/a./a/xhr', '/a/a./xhr', '/./././xhr', '/xhr', '///xhr', '/a/b/c/xhr', '/a/b/xhr//']) {
    assert.equal(router.route('POST', bad).kind, 'not-found', bad);
  }
  assert.equal(router.route('POST', '/a/b/xhr/').kind, 'found');
});

test('405 lists the methods of matching routes in table order', () => {
  assert.deepEqual(router.route('GET', '/a/b/xhr'), { kind: 'method-not-allowed', allow: ['POST', 'OPTIONS'] });
  assert.deepEqual(router.route('POST', '/info'), { kind: 'method-not-allowed', allow: ['OPTIONS', 'GET'] });
  assert.deepEqual(router.route('HEAD', ''), { kind: 'method-not-allowed', allow: ['GET'] });
  assert.deepEqual(router.route('POST', '/0/0/websocket'), { kind: 'method-not-allowed', allow: ['GET'] });
});

test('iframe names follow PROTOCOL.md 2.4 with a literal .html', () => {
  for (const ok of ['/iframe.html', '/iframe-a.html', '/iframe-.html', '/iframe-0.1.2.html', '/iframe-0.1.2abc-dirty.2144.html']) {
    assert.equal(router.route('GET', ok).kind, 'found', ok);
  }
  for (const bad of ['/iframe.htm', '/iframe', '/IFRAME.HTML', '/IFRAME', '/iframe.HTML', '/iframe.xml', '/iframe-/.html', '/iframe-html', '/iframe.xhtml']) {
    assert.equal(router.route('GET', bad).kind, 'not-found', bad);
  }
});

test('prefix claims the path itself and what lies below it, literally', () => {
  assert.ok(isUnderPrefix('/echo', '/echo'));
  assert.ok(isUnderPrefix('/echo/', '/echo'));
  assert.ok(isUnderPrefix('/echo/info', '/echo'));
  assert.ok(!isUnderPrefix('/echofoo', '/echo'));
  assert.ok(!isUnderPrefix('/eXho', '/e.ho'));
  assert.ok(isUnderPrefix('/anything', ''));
});

test('splitUrl keeps the path undecoded', () => {
  assert.deepEqual(splitUrl('/echo/a%20b/c?t=1&x=%20'), { path: '/echo/a%20b/c', query: 't=1&x=%20' });
  assert.deepEqual(splitUrl('/echo'), { path: '/echo', query: '' });
});
