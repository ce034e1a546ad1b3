// Three nodes of the standard test server (`--cluster redis://…`, one
// adapter each) behind HAProxy with plain round-robin and
// `option http-server-close`: no stickiness at all, so the requests of one
// session land on every node in turn. The real sockjs-client must not notice.
import { describe, it, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { missingBinary } from '../helpers/external-service.ts';
import { startClusterStack, type ClusterStack } from '../helpers/cluster-stack.ts';
import { NODE_TRANSPORTS, closeAllClients, openClient, randomToken, type TestClient } from '../helpers/sockjs-client.ts';

const skip = missingBinary('redis-server') || missingBinary('haproxy');
const TIMEOUT = { timeout: 60_000 };

/** Sends `count` messages one after another, each after the echo of the one before, and checks every echo. */
async function exchange(client: TestClient, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const message = `${tag}-${i}`;
    client.send(message);
    assert.equal(await client.nextMessage(5000), message, `echo ${i} of ${count}`);
  }
}

/** The test `body`, with the nodes' output added to its failure. */
function withNodeLogs(stack: () => ClusterStack, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      if (error instanceof Error) error.message += `\n${stack().logs()}`;
      throw error;
    }
  };
}

describe('a 3-node cluster on Redis behind round-robin HAProxy', { skip }, () => {
  let stack: ClusterStack;
  before(async () => {
    stack = await startClusterStack();
  });
  afterEach(closeAllClients);
  after(async () => {
    await closeAllClients();
    await stack?.stop();
  });

  for (const transport of NODE_TRANSPORTS) {
    it(`the real client on ${transport}: a bulk of messages and ordered round trips, each echoed once`, TIMEOUT, async () => {
      const client = await openClient(`${stack.baseUrl}/echo`, transport);
      assert.equal(client.transportAtOpen, transport);
      const bulk = Array.from({ length: 50 }, (_, i) => `bulk ${i} ${randomToken()} é𝄞"\\`);
      for (const message of bulk) client.send(message);
      assert.deepEqual(await client.messages(bulk.length, 15_000), bulk);
      await exchange(client, 20, transport);
      await delay(200);
      assert.deepEqual(client.pending(), [], 'nothing echoed twice');
      assert.equal(client.sock.transport, transport);
      const closed = await client.close();
      assert.equal(closed.code, 1000);
    });

    it(`the real client on ${transport}: a close from the server arrives as a close frame`, TIMEOUT, async () => {
      const client = await openClient(`${stack.baseUrl}/close`, transport);
      const closed = await client.waitClosed(10_000);
      assert.deepEqual([closed.code, closed.reason], [3000, 'Go away!']);
    });
  }

  it('a long ordered exchange over xhr-polling: 300 round trips, every request on the next node', TIMEOUT, async () => {
    const client = await openClient(`${stack.baseUrl}/echo`, 'xhr-polling');
    await exchange(client, 300, 'long');
    assert.deepEqual(client.pending(), []);
  });

  it('fan-out: 30 sessions on every transport and node get each of 20 broadcasts once, in order', TIMEOUT, async () => {
    const clients: TestClient[] = [];
    for (let i = 0; i < 30; i++) clients.push(await openClient(`${stack.baseUrl}/broadcast`, NODE_TRANSPORTS[i % NODE_TRANSPORTS.length]));
    const sender = clients[7]!;
    const sent = Array.from({ length: 20 }, (_, i) => `news ${i}`);
    for (const message of sent) sender.send(message);
    await Promise.all(clients.map(async (c) => assert.deepEqual(await c.messages(sent.length, 15_000), sent, c.label)));
    await delay(300);
    for (const c of clients) assert.deepEqual(c.pending(), [], `${c.label} got a message twice`);
  });
});

describe('cluster failures', { skip }, () => {
  // Each failure test breaks its stack: each gets its own.
  let stack: ClusterStack;
  beforeEach(async () => {
    stack = await startClusterStack();
  });
  afterEach(async () => {
    await closeAllClients();
    await stack?.stop();
  });

  it('a node killed with SIGKILL under load: its clients are told within disconnect_delay plus a few seconds, the rest carry on', TIMEOUT, withNodeLogs(() => stack, async () => {
    const transports = ['xhr-polling', 'xhr-streaming', 'eventsource'] as const;
    const clients: TestClient[] = [];
    for (let i = 0; i < 18; i++) clients.push(await openClient(`${stack.baseUrl}/echo`, transports[i % transports.length]));
    let running = true;
    const closedAt = new Map<TestClient, number>();
    for (const c of clients) void c.waitClosed(60_000).then(() => closedAt.set(c, Date.now()), () => {});
    /** Clients whose last message found no echo and no close: their request was cut by the kill. */
    const cut = new Set<TestClient>();
    const load = clients.map(async (client, i) => {
      let n = 0;
      while (running && client.closed === null) {
        client.send(`load ${i} ${n}`);
        const echoed = await client.nextMessage(8000).catch(() => null);
        if (echoed === null) {
          if (client.closed === null) cut.add(client);
          break;
        }
        assert.equal(echoed, `load ${i} ${n}`, `${client.label}: no message lost or reordered while it is open`);
        n++;
      }
    });
    await delay(1000);
    const killedAt = Date.now();
    await stack.nodes[2]!.kill();
    // disconnect_delay (5 s) + node timeout (3 s) + slack: every client is either still echoing or closed by then.
    await delay(10_000);
    running = false;
    await Promise.all(load);
    const closed = clients.filter((c) => c.closed !== null);
    const alive = clients.filter((c) => c.closed === null && !cut.has(c));
    assert.ok(closed.length + cut.size > 0, 'some sessions lived on the killed node or had a request through it');
    assert.ok(alive.length > 0, 'sessions on the other nodes live on');
    for (const c of closed) assert.ok(closedAt.get(c)! - killedAt < 10_000, `${c.label} told after ${closedAt.get(c)! - killedAt} ms`);
    // A response the killed node was writing is cut mid-body: a browser reports that as a network error, but
    // sockjs-client's Node driver only listens for the response's 'end' and waits forever. Such a client's
    // session must be over everywhere, so its next request is refused on every node.
    for (const c of cut) {
      for (let attempt = 0; attempt < stack.nodes.length; attempt++) {
        const res = await fetch(`${stack.baseUrl}/echo/${c.serverId}/${c.sessionId}/xhr_send`, { method: 'POST', body: '["late"]' });
        assert.equal(res.status, 404, `${c.label}: a send for a session cut by the kill`);
      }
    }
    for (const c of alive) await exchange(c, 3, 'after');
    // New sessions work on the two nodes left, through every HTTP transport.
    for (const transport of NODE_TRANSPORTS) await exchange(await openClient(`${stack.baseUrl}/echo`, transport), 5, `new-${transport}`);
  }));

  it('a node stopped with SIGTERM: its clients get a close frame at once, wherever they poll, and the rest carry on', TIMEOUT, withNodeLogs(() => stack, async () => {
    const clients: TestClient[] = [];
    for (let i = 0; i < 9; i++) clients.push(await openClient(`${stack.baseUrl}/echo`, i % 3 === 2 ? 'xhr-streaming' : 'xhr-polling'));
    for (const [i, c] of clients.entries()) await exchange(c, 2, `before-${i}`);
    const stoppedAt = Date.now();
    await stack.nodes[1]!.stop();
    // Well under the 3 s node timeout: the node said goodbye, nobody had to wait for its silence.
    await delay(1500);
    const closed = clients.filter((c) => c.closed !== null);
    assert.ok(closed.length > 0, 'some sessions were on the stopped node');
    for (const c of closed) assert.ok([1000, 1011, 3000].includes(c.closed!.code) || /Server lost session|status/.test(c.closed!.reason), `${c.label}: ${c.closed!.code} ${c.closed!.reason}`);
    assert.ok(Date.now() - stoppedAt < 3000 + 1500);
    for (const c of clients.filter((x) => x.closed === null)) await exchange(c, 3, 'after');
    for (const transport of NODE_TRANSPORTS) await exchange(await openClient(`${stack.baseUrl}/echo`, transport), 3, `new-${transport}`);
  }));

  it('Redis killed and restarted: no node crashes, sessions are told, and cross-node service resumes by itself', TIMEOUT, withNodeLogs(() => stack, async () => {
    const clients: TestClient[] = [];
    for (let i = 0; i < 6; i++) clients.push(await openClient(`${stack.baseUrl}/echo`, i % 2 ? 'xhr-polling' : 'xhr-streaming'));
    await stack.redis.kill();
    // With the broker gone a request that lands away from its session's node cannot reach it: that client is
    // told (a close frame or a refused request); one whose requests all reach the owner is still served. None hangs.
    const outcomes = await Promise.all(
      clients.map(async (c, i) => {
        c.send(`during ${i}`);
        // nextMessage fails both when the client is closed and when nothing comes: only the second is a hang.
        const echoed = await c.nextMessage(12_000).then(
          () => 'served' as const,
          () => (c.closed !== null ? ('told' as const) : ('hung' as const)),
        );
        return echoed === 'served' && c.closed !== null ? 'told' : echoed;
      }),
    );
    assert.ok(!outcomes.includes('hung'), `outcomes: ${outcomes.join(', ')}`);
    assert.ok(outcomes.includes('told'), `outcomes: ${outcomes.join(', ')}`);
    await stack.redis.restart();
    await delay(2500); // reconnect back-off is at most 1 s; then every node hears the others again
    for (const node of stack.nodes) assert.ok(node.running(), `the ${node.adapter} node still runs`);
    for (const transport of NODE_TRANSPORTS) await exchange(await openClient(`${stack.baseUrl}/echo`, transport), 20, `back-${transport}`);
  }));
});
