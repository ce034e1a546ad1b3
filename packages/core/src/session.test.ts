import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from './connection.js';
import { ReadyState } from './constants.js';
import { ServiceCounters } from './counters.js';
import { Session, type Receiver, type SessionHost } from './session.js';

class RecordingReceiver implements Receiver {
  readonly transport = 'xhr-streaming' as const;
  readonly frames: string[] = [];
  ended = false;
  congested = false;
  pings = 0;
  /** Bytes the fake transport pretends it could not flush yet; `sendFrame` returns them. */
  bufferedBytes = 0;
  /** When set, frames pile up in `bufferedBytes` as on a socket the client stopped reading. */
  stuck = false;
  destroyed = false;
  ping?: () => void;

  constructor(
    private readonly session: Session,
    private readonly limit = Infinity,
  ) {}

  sendFrame(frame: string): number {
    if (this.ended) return 0;
    this.frames.push(frame);
    if (this.stuck) this.bufferedBytes += frame.length;
    if (this.frames.length >= this.limit) this.end();
    return this.bufferedBytes;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.session.detach(this, true);
  }

  destroy(): void {
    this.destroyed = true;
    this.ended = true;
  }

  abort(): void {
    this.ended = true;
    this.session.detach(this, false);
  }
}

function setup(overrides: Partial<SessionHost> = {}) {
  const announced: Connection[] = [];
  const forgotten: Session[] = [];
  const host: SessionHost = {
    heartbeatDelay: 100,
    disconnectDelay: 200,
    pongTimeout: 100,
    sendHighWaterMark: 1024,
    maxBufferedBytes: 4096,
    prefix: '/p',
    connectionIndex: new Map(),
    counters: new ServiceCounters('/p'),
    announce: (c) => announced.push(c),
    forget: (s) => forgotten.push(s),
    ...overrides,
  };
  const session = new Session('id', host, (target) => new Connection(target, 'xhr-streaming'));
  return { session, announced, forgotten };
}

const attach = (session: Session, receiver: Receiver) => session.attach(receiver, () => {});

/** Polls `condition` until it holds; timers run late on a loaded machine, so tests wait for states, not durations. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('first receiver gets o, connection is announced on the next tick, buffered writes follow as one frame', async () => {
  const { session, announced } = setup();
  const poll = new RecordingReceiver(session, 1);
  attach(session, poll);
  assert.deepEqual(poll.frames, ['o']);
  assert.equal(announced.length, 0);
  await sleep(0);
  assert.equal(announced.length, 1);
  session.connection.write('a');
  session.connection.write('b');
  const next = new RecordingReceiver(session, 1);
  attach(session, next);
  assert.deepEqual(next.frames, ['a["a","b"]']);
  session.terminate();
});

test('a second concurrent receiver gets 2010 and the first stays attached', () => {
  const { session } = setup();
  const first = new RecordingReceiver(session);
  attach(session, first);
  const second = new RecordingReceiver(session);
  attach(session, second);
  assert.deepEqual(second.frames, ['c[2010,"Another connection still open"]']);
  assert.ok(second.ended);
  assert.ok(session.hasReceiver);
  session.terminate();
});

test('heartbeats go out every heartbeatDelay while attached', async () => {
  const { session } = setup();
  const stream = new RecordingReceiver(session);
  attach(session, stream);
  await waitFor(() => stream.frames.filter((f) => f === 'h').length >= 2, 'two heartbeats');
  assert.ok(session.hasReceiver, 'heartbeats do not detach a streaming receiver');
  session.terminate();
});

test('the session is destroyed disconnectDelay after its receiver leaves, and close fires once', async () => {
  const { session, forgotten } = setup();
  let closes = 0;
  session.connection.on('close', () => closes++);
  // Read before the deadline is set, so the bound below cannot miss by a millisecond boundary.
  const detachedAt = Date.now();
  attach(session, new RecordingReceiver(session, 1));
  assert.equal(session.readyState, ReadyState.OPEN, 'a receiver leaving does not end the session at once');
  await waitFor(() => session.readyState === ReadyState.CLOSED, 'the disconnect timer');
  assert.ok(Date.now() - detachedAt >= 200, 'not before disconnectDelay');
  assert.deepEqual(forgotten, [session]);
  assert.equal(session.hasTimer, false);
  await waitFor(() => closes > 0, 'the close event');
  await sleep(20);
  assert.equal(closes, 1);
});

test('a new receiver before the disconnect delay keeps the session alive', async () => {
  const { session } = setup();
  attach(session, new RecordingReceiver(session, 1));
  // The first receiver has left and the disconnect timer runs; attach before it is due
  // without sleeping, since a sleep can overrun the 200 ms on a loaded machine.
  const stream = new RecordingReceiver(session);
  attach(session, stream);
  await sleep(400);
  assert.equal(session.readyState, ReadyState.OPEN, 'an attached receiver has no disconnect timer running');
  session.terminate();
});

test('an aborted receiver ends the session at once', async () => {
  const { session } = setup();
  const stream = new RecordingReceiver(session);
  attach(session, stream);
  stream.abort();
  assert.equal(session.readyState, ReadyState.CLOSED);
});

test('close frame is served again to later receivers without extending the session life', async () => {
  const { session } = setup();
  attach(session, new RecordingReceiver(session, 1));
  await sleep(0);
  assert.ok(session.connection.close(3000, 'Go away!'));
  assert.equal(session.connection.close(3000, 'again'), false);
  const due = session.dueAt;
  const poll = () => {
    const receiver = new RecordingReceiver(session, 1);
    attach(session, receiver);
    assert.deepEqual(receiver.frames, ['c[3000,"Go away!"]']);
    assert.equal(session.dueAt, due, 'serving the close frame must not push the end of the session back');
  };
  poll();
  // Keep polling: if serving the close frame re-armed the disconnect timer, the session would never end.
  await waitFor(() => {
    if (session.readyState === ReadyState.CLOSED) return true;
    poll();
    return false;
  }, 'the session to end while being polled');
});

test('pings need a pong within pongTimeout, else 3000 "No response from heartbeat"', async () => {
  const { session } = setup();
  const ws = new RecordingReceiver(session);
  const openAtPing: boolean[] = [];
  ws.ping = () => {
    ws.pings++;
    openAtPing.push(session.readyState === ReadyState.OPEN);
    // Answer the first ping on the same turn of the event loop, as a prompt client
    // would; a test that polled for the ping could itself overrun pongTimeout.
    if (ws.pings === 1) setImmediate(() => session.pong());
  };
  attach(session, ws);
  await waitFor(() => ws.frames.includes('c[3000,"No response from heartbeat"]'), 'the pong deadline');
  assert.equal(ws.pings, 2, 'the pong earned a second ping, and the missing second pong ended the session');
  assert.deepEqual(openAtPing, [true, true]);
  assert.ok(!ws.frames.some((f) => f.startsWith('h')), 'pings replace h frames');
  session.terminate();
});

test('writes are refused once the session is not open', async () => {
  const { session } = setup();
  attach(session, new RecordingReceiver(session));
  assert.equal(session.connection.write('x'), true);
  session.connection.close();
  assert.equal(session.connection.write('y'), false);
  session.terminate();
});

test('write returns false above the high-water mark and drain follows the flush', async () => {
  const { session } = setup({ sendHighWaterMark: 10 });
  attach(session, new RecordingReceiver(session, 1));
  await sleep(0);
  assert.equal(session.connection.write('0123456789abc'), false);
  let drained = false;
  session.connection.once('drain', () => (drained = true));
  attach(session, new RecordingReceiver(session));
  assert.ok(drained);
  session.terminate();
});


test('the ready state, the pending timer and a writer waiting for drain change independently', async () => {
  const { session } = setup({ sendHighWaterMark: 10 });
  assert.equal(session.readyState, ReadyState.CONNECTING);
  assert.equal(session.hasTimer, false);
  attach(session, new RecordingReceiver(session, 1));
  await sleep(0);
  // The poll ended with its `o`: open, and the disconnect timer runs.
  assert.equal(session.readyState, ReadyState.OPEN);
  assert.equal(session.hasTimer, true);
  assert.equal(session.connection.write('0123456789abc'), false);
  assert.equal(session.readyState, ReadyState.OPEN);
  assert.equal(session.hasTimer, true);
  let drains = 0;
  session.connection.on('drain', () => drains++);
  attach(session, new RecordingReceiver(session));
  assert.equal(drains, 1);
  assert.equal(session.readyState, ReadyState.OPEN);
  assert.equal(session.hasTimer, true);
  // Drain was wanted once: a later flush under the mark emits nothing more.
  session.receiverDrained();
  assert.equal(drains, 1);
  session.connection.close();
  assert.equal(session.readyState, ReadyState.CLOSING);
  session.terminate();
  assert.equal(session.readyState, ReadyState.CLOSED);
  assert.equal(session.hasTimer, false);
});
test('a session whose client stops reading is closed with 1009 once maxBufferedBytes is passed', async () => {
  const { session, forgotten } = setup({ maxBufferedBytes: 100 });
  const stuck = new RecordingReceiver(session);
  attach(session, stuck);
  stuck.stuck = true;
  stuck.bufferedBytes = 90;
  assert.equal(session.connection.write('x'.repeat(3)), true, 'a["xxx"] brings the queue to exactly 100 bytes');
  assert.equal(session.connection.write('x'.repeat(20)), false);
  assert.ok(stuck.frames.includes('c[1009,"Send buffer overflow"]'), String(stuck.frames));
  assert.ok(stuck.destroyed, 'transport torn down');
  assert.equal(session.readyState, ReadyState.CLOSED);
  assert.deepEqual(forgotten, [session]);
  assert.equal(session.hasTimer, false);
});

test('unsent messages of a polling session count toward maxBufferedBytes; the next poll gets the 1009 close frame', async () => {
  const { session } = setup({ maxBufferedBytes: 50 });
  attach(session, new RecordingReceiver(session, 1));
  await sleep(0);
  assert.equal(session.connection.write('x'.repeat(30)), true);
  assert.equal(session.connection.write('x'.repeat(30)), false);
  assert.equal(session.readyState, ReadyState.CLOSING);
  const poll = new RecordingReceiver(session, 1);
  attach(session, poll);
  assert.deepEqual(poll.frames, ['c[1009,"Send buffer overflow"]'], 'queued messages were dropped, the client is told why');
  session.terminate();
});

test('a sender is held while the application does not read, and answered once it does or the session ends', async () => {
  const { session } = setup();
  attach(session, new RecordingReceiver(session));
  const answered: string[] = [];
  // Nobody listens yet: messages are held, and past 16 the session reports it is not keeping up.
  const batch = Array.from({ length: 20 }, (_, i) => `m${i}`);
  assert.equal(session.deliver(batch.slice(0, 10)), true);
  assert.equal(session.deliver(batch.slice(10)), false);
  session.holdSender(() => answered.push('first'));
  await sleep(10);
  // A length check: deepEqual(answered, []) would narrow `answered` to never[] for the rest of the test.
  assert.equal(answered.length, 0, 'no answer while nobody reads');
  const seen: string[] = [];
  session.connection.on('data', (m) => seen.push(m));
  assert.deepEqual(answered, ['first'], 'reading releases the held sender');
  await sleep(0);
  assert.deepEqual(seen, batch, 'every accepted message arrives, in order');

  session.connection.pause();
  assert.equal(session.deliver(batch), false);
  session.holdSender(() => answered.push('second'));
  session.terminate();
  assert.deepEqual(answered, ['first', 'second'], 'the end of the session releases it too');
});
