import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { Connection, type ConnectionTarget } from './connection.js';
import { ReadyState } from './constants.js';

/** A target that records what the connection asks of its transport. */
class FakeTarget implements ConnectionTarget {
  readyState: ReadyState = ReadyState.OPEN;
  readonly sent: string[] = [];
  paused = false;
  terminated = false;
  readonly scope = { prefix: '/echo', connectionIndex: new Map<string, Connection>() };
  readonly connection: Connection = new Connection(this, 'websocket');

  send(message: string): boolean {
    this.sent.push(message);
    return true;
  }
  close(): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    this.readyState = ReadyState.CLOSING;
    return true;
  }
  terminate(): void {
    if (this.readyState === ReadyState.CLOSED) return;
    this.terminated = true;
    this.readyState = ReadyState.CLOSED;
    this.connection.targetClosed();
  }
  pauseInbound(): void {
    this.paused = true;
  }
  resumeInbound(): void {
    this.paused = false;
  }
  /** What a session does with client messages. */
  deliver(...messages: string[]): void {
    for (const m of messages) if (!this.connection.deliver(m)) this.pauseInbound();
  }
}

test('messages that arrive before anyone listens are held, then delivered in order', async () => {
  const target = new FakeTarget();
  target.deliver('one', 'two');
  await tick();
  const seen: string[] = [];
  target.connection.on('data', (m) => seen.push(m));
  target.deliver('three');
  assert.deepEqual(seen, [], 'held messages go out from the next tick, and nothing overtakes them');
  await tick();
  assert.deepEqual(seen, ['one', 'two', 'three']);
  target.deliver('four');
  assert.deepEqual(seen, ['one', 'two', 'three', 'four'], 'a flowing connection delivers at once');
});

test('pause() holds messages and pauses the transport at 16; resume() releases them in order', async () => {
  const target = new FakeTarget();
  const seen: string[] = [];
  target.connection.on('data', (m) => seen.push(m));
  target.connection.pause();
  assert.equal(target.connection.isPaused(), true);
  const messages = Array.from({ length: 20 }, (_, i) => `m${i}`);
  target.deliver(...messages);
  assert.deepEqual(seen, []);
  assert.equal(target.paused, true, 'the transport stops reading once 16 wait');
  target.connection.resume();
  assert.equal(target.paused, false);
  await tick();
  assert.deepEqual(seen, messages);
});

test('end and close come once each, after the held messages, even when the session closes first', async () => {
  const target = new FakeTarget();
  const events: string[] = [];
  target.deliver('late reader');
  target.terminate();
  target.terminate();
  await tick();
  assert.equal(target.connection.readyState, ReadyState.CLOSED);
  target.connection.on('end', () => events.push('end'));
  target.connection.on('close', () => events.push('close'));
  target.connection.on('data', (m) => events.push(`data:${m}`));
  await tick();
  assert.deepEqual(events, ['data:late reader', 'end']);
  target.connection.resume();
  await tick();
  assert.deepEqual(events, ['data:late reader', 'end'], 'close was emitted before anyone listened, and only once');
});

test('end then close, once, for a connection that had a reader', async () => {
  const target = new FakeTarget();
  const events: string[] = [];
  target.connection.on('data', (m) => events.push(`data:${m}`));
  target.connection.on('end', () => events.push('end'));
  target.connection.on('close', () => events.push('close'));
  target.deliver('a');
  target.connection.destroy();
  target.connection.destroy();
  assert.equal(target.terminated, true);
  await tick();
  assert.deepEqual(events, ['data:a', 'end', 'close']);
  assert.equal(target.connection.write('after close'), false);
  assert.equal(target.connection.readable, false);
  assert.equal(target.connection.writable, false);
});

test('for await reads messages until the session ends', async () => {
  const target = new FakeTarget();
  const reading = (async () => {
    const got: string[] = [];
    for await (const message of target.connection) got.push(message);
    return got;
  })();
  target.deliver('x', 'y');
  await tick();
  target.deliver('z');
  target.terminate();
  assert.deepEqual(await reading, ['x', 'y', 'z']);
});

test('for await pauses the transport while the loop body is slow', async () => {
  const target = new FakeTarget();
  const got: string[] = [];
  const reading = (async () => {
    for await (const message of target.connection) {
      got.push(message);
      if (got.length === 1) await tick();
      if (got.length === 40) break;
    }
  })();
  target.deliver(...Array.from({ length: 40 }, (_, i) => String(i)));
  assert.equal(target.paused, true, 'a burst larger than 16 pauses the transport');
  await reading;
  assert.deepEqual(got, Array.from({ length: 40 }, (_, i) => String(i)));
  assert.equal(target.connection.listenerCount('data'), 0, 'breaking out removes the listeners');
});

test('for await resumes a paused connection and rejects with the error destroy() was given', async () => {
  const target = new FakeTarget();
  target.connection.pause();
  target.deliver('held');
  const got: string[] = [];
  const reading = (async () => {
    for await (const message of target.connection) {
      got.push(message);
      target.connection.destroy(new Error('stop reading'));
    }
  })();
  await assert.rejects(reading, /stop reading/);
  assert.deepEqual(got, ['held']);
});

test('pipe() carries messages to a Writable and ends it when the session ends', async () => {
  const target = new FakeTarget();
  const out: string[] = [];
  const sink = new Writable({
    objectMode: true,
    write(chunk: string, _encoding, done) {
      out.push(chunk);
      done();
    },
  });
  const finished = new Promise((resolve) => sink.on('finish', resolve));
  target.connection.pipe(sink);
  target.deliver('p', 'q');
  target.terminate();
  await finished;
  assert.deepEqual(out, ['p', 'q']);
});

test('a Readable piped into the connection is written as messages', async () => {
  const target = new FakeTarget();
  const source = new PassThrough({ objectMode: true });
  source.pipe(target.connection as unknown as Writable, { end: false });
  source.write('first');
  source.write('second');
  await tick();
  assert.deepEqual(target.sent, ['first', 'second']);
});

test('listeners work for any event name, those of Object.prototype included, as on an EventEmitter', () => {
  const { connection } = new FakeTarget();
  assert.equal(connection.listenerCount('toString'), 0);
  assert.deepEqual(connection.eventNames(), []);
  const heard: string[] = [];
  connection.on('toString', () => heard.push('toString'));
  connection.on('__proto__', () => heard.push('__proto__'));
  const onConstructor = () => heard.push('constructor');
  connection.on('constructor', onConstructor);
  assert.equal(connection.emit('toString'), true);
  assert.equal(connection.emit('__proto__'), true);
  assert.equal(connection.emit('constructor'), true);
  assert.equal(connection.emit('hasOwnProperty'), false, 'no listener is inherited');
  assert.deepEqual(heard, ['toString', '__proto__', 'constructor']);
  assert.deepEqual(connection.eventNames().sort(), ['__proto__', 'constructor', 'toString']);
  connection.off('constructor', onConstructor);
  assert.equal(connection.emit('constructor'), false);
  connection.removeAllListeners();
  assert.deepEqual(connection.eventNames(), []);
  assert.equal(connection.emit('toString'), false);
});

test('each connection gets its own copy of the exposed headers, whichever values repeat', () => {
  const exposed = ['host', 'user-agent', 'x-forwarded-for'];
  const request = (headers: Record<string, string | string[]>) => ({
    url: '/echo/000/abc/websocket',
    headers,
    socket: { remoteAddress: '127.0.0.1', remotePort: 5000, address: () => ({ address: '127.0.0.1', family: 'IPv4', port: 8081 }) },
  });
  const [a, b, c] = [new FakeTarget(), new FakeTarget(), new FakeTarget()].map((t) => t.connection);
  a!.copyRequest(request({ host: 'example.com', 'user-agent': 'one', 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] }), exposed);
  b!.copyRequest(request({ host: 'example.com', 'user-agent': 'two', cookie: 'secret' }), exposed);
  c!.copyRequest(request({ host: 'example.com', 'user-agent': 'one' }), exposed);
  assert.deepEqual(a!.headers, { host: 'example.com', 'user-agent': 'one', 'x-forwarded-for': '10.0.0.1, 10.0.0.2' });
  assert.deepEqual(b!.headers, { host: 'example.com', 'user-agent': 'two' }, 'only exposed headers, and none left over from the previous request');
  assert.deepEqual(c!.headers, { host: 'example.com', 'user-agent': 'one' });
  c!.headers.host = 'changed.example';
  assert.equal(a!.headers.host, 'example.com', 'a connection may change its copy without touching another');
  assert.equal(b!.headers.host, 'example.com');
});

test('a request that repeats the last one keeps the copy the connection shows; any difference replaces it', () => {
  const exposed = ['host', 'user-agent', 'x-forwarded-for'];
  const request = (url: string, headers: Record<string, string | string[]>) => ({
    url,
    headers,
    socket: { remoteAddress: '127.0.0.1', remotePort: 5000, address: () => ({ address: '127.0.0.1', family: 'IPv4', port: 8081 }) },
  });
  const connection = new FakeTarget().connection;
  connection.copyRequest(request('/echo/000/abc/xhr', { host: 'example.com', 'user-agent': 'one' }), exposed);
  const first = connection.headers;
  connection.copyRequest(request('/echo/000/abc/xhr', { host: 'example.com', 'user-agent': 'one', cookie: 'not exposed' }), exposed);
  assert.equal(connection.headers, first, 'equal exposed values: the same object');
  connection.copyRequest(request('/echo/000/abc/xhr', { host: 'example.com', 'user-agent': 'two' }), exposed);
  assert.notEqual(connection.headers, first);
  assert.deepEqual(connection.headers, { host: 'example.com', 'user-agent': 'two' });
  const second = connection.headers;
  connection.copyRequest(request('/echo/000/abc/xhr', { host: 'example.com' }), exposed);
  assert.deepEqual(connection.headers, { host: 'example.com' }, 'a header the new request lacks is gone');
  connection.copyRequest(request('/echo/000/abc/xhr', { host: 'example.com', 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] }), exposed);
  assert.deepEqual(connection.headers, { host: 'example.com', 'x-forwarded-for': '10.0.0.1, 10.0.0.2' });
  connection.copyRequest(request('/echo/000/abc/xhr', { host: 'example.com', 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] }), exposed);
  assert.deepEqual(connection.headers, { host: 'example.com', 'x-forwarded-for': '10.0.0.1, 10.0.0.2' }, 'a repeated list is joined again');
  const shown: Record<string, string> = connection.headers;
  shown['x-added'] = 'by the application';
  connection.copyRequest(request('/echo/000/abc/xhr', { host: 'example.com', 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] }), exposed);
  assert.notEqual(connection.headers, shown, 'an object the application added to is replaced');
  assert.deepEqual(connection.headers, { host: 'example.com', 'x-forwarded-for': '10.0.0.1, 10.0.0.2' });
  assert.notEqual(second, connection.headers);
  connection.copyRequest(request('/echo/000/abc/xhr?t=2', { host: 'example.com' }), exposed);
  assert.equal(connection.url, '/echo/000/abc/xhr?t=2');
  assert.equal(connection.pathname, '/echo/000/abc/xhr');
});
