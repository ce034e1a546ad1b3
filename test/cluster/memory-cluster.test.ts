// The cluster seam on its own, without Redis: three nodes in this process on
// one MemoryBroker, each an http.Server on loopback, and every request of a
// session sent to a node of the test's choosing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { Cluster, MemoryBroker, createServer, type Connection, type SockJSServer } from '@sockjs-server/core';

interface Node {
  readonly url: string;
  readonly sockjs: SockJSServer;
  readonly cluster: Cluster;
  readonly http: http.Server;
}

async function startNode(broker: MemoryBroker, name: string): Promise<Node> {
  const cluster = new Cluster({ broker, nodeId: name, heartbeatInterval: 100, nodeTimeout: 400 });
  await cluster.ready;
  const sockjs = createServer({ prefix: '/echo', cluster, disconnect_delay: 500 });
  sockjs.on('connection', (conn: Connection) => {
    conn.on('data', (m: string) => {
      if (m.startsWith('all:')) sockjs.broadcast(`${name}>${m.slice(4)}`);
      else if (m.startsWith('join:')) sockjs.join(conn, m.slice(5));
      else if (m.startsWith('leave:')) sockjs.leave(conn, m.slice(6));
      else if (m.startsWith('room:')) sockjs.broadcastTo('r', `${name}>${m.slice(5)}`);
      else if (m === 'id') conn.write(`id:${conn.id}`);
      else if (m.startsWith('to:')) {
        const [, id, text] = m.split(':');
        sockjs.sendTo(id!, `${name}>${text}`);
      }
      else conn.write(`${name}:${m}`);
    });
  });
  const server = http.createServer();
  sockjs.attach(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/echo`, sockjs, cluster, http: server };
}

async function stopNode(node: Node): Promise<void> {
  await node.sockjs.close();
  await node.cluster.close();
  node.http.closeAllConnections();
  await new Promise((resolve) => node.http.close(resolve));
}

let counter = 0;
const sessionPath = () => `/000/m${process.pid}x${counter++}`;

async function poll(node: Node, path: string): Promise<string> {
  const res = await fetch(`${node.url}${path}/xhr`, { method: 'POST' });
  assert.equal(res.status, 200);
  return res.text();
}

async function send(node: Node, path: string, ...messages: string[]): Promise<number> {
  const res = await fetch(`${node.url}${path}/xhr_send`, { method: 'POST', body: JSON.stringify(messages) });
  await res.text();
  return res.status;
}

describe('cluster on a MemoryBroker', () => {
  const broker = new MemoryBroker();
  let nodes: Node[] = [];
  before(async () => {
    nodes = await Promise.all(['a', 'b', 'c'].map((name) => startNode(broker, name)));
    await delay(150); // every node has heard every other's heartbeat
  });
  after(async () => {
    await Promise.all(nodes.map(stopNode));
  });

  it('serves one xhr-polling session whose requests land on every node, in order', async () => {
    const [a, b, c] = nodes as [Node, Node, Node];
    const path = sessionPath();
    assert.equal(await poll(a, path), 'o\n');
    assert.equal(await send(b, path, 'one', 'two'), 204);
    assert.equal(await poll(c, path), 'a["a:one","a:two"]\n');
    assert.equal(await send(c, path, 'three'), 204);
    assert.equal(await poll(b, path), 'a["a:three"]\n');
  });

  it('gives a waiting poll on another node its headers at once and the frame when it comes', async () => {
    const [a, b, c] = nodes as [Node, Node, Node];
    const path = sessionPath();
    assert.equal(await poll(a, path), 'o\n');
    const waiting = await fetch(`${b.url}${path}/xhr`, { method: 'POST' });
    assert.equal(waiting.status, 200);
    assert.match(waiting.headers.get('content-type') ?? '', /application\/javascript/);
    assert.equal(await send(c, path, 'late'), 204);
    assert.equal(await waiting.text(), 'a["a:late"]\n');
  });

  it('answers 404 to a send for a session no node has', async () => {
    assert.equal(await send(nodes[1]!, sessionPath(), 'x'), 404);
  });

  it('streams over xhr-streaming from the owner through another node', async () => {
    const [a, b, c] = nodes as [Node, Node, Node];
    const path = sessionPath();
    assert.equal(await poll(a, path), 'o\n');
    const res = await fetch(`${b.url}${path}/xhr_streaming`, { method: 'POST' });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const until = async (text: string) => {
      while (!seen.includes(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${JSON.stringify(text)}: ${JSON.stringify(seen)}`);
        seen += decoder.decode(value);
      }
    };
    await until('hhhhhhhh'); // the 2 KiB prelude, written by the entry node
    assert.equal(await send(c, path, 's1'), 204);
    assert.equal(await send(a, path, 's2'), 204);
    await until('a["a:s2"]\n');
    assert.ok(seen.endsWith('a["a:s1"]\na["a:s2"]\n'), JSON.stringify(seen.slice(-40)));
    await reader.cancel();
  });

  it('broadcasts and room messages reach members on every node, each once', async () => {
    const [a, b, c] = nodes as [Node, Node, Node];
    const sessions = [sessionPath(), sessionPath(), sessionPath()];
    const owners = [a, b, c];
    for (let i = 0; i < 3; i++) assert.equal(await poll(owners[i]!, sessions[i]!), 'o\n');
    await send(a, sessions[0]!, 'join:r');
    await send(c, sessions[2]!, 'join:r');
    await delay(20);
    await send(b, sessions[1]!, 'all:hello', 'room:members');
    await delay(50);
    // Each session polled from a node that does not own it.
    assert.equal(await poll(b, sessions[0]!), 'a["b>hello","b>members"]\n');
    assert.equal(await poll(c, sessions[1]!), 'a["b>hello"]\n');
    assert.equal(await poll(a, sessions[2]!), 'a["b>hello","b>members"]\n');
  });

  it('a message to one connection id reaches it on its node only; a member that left a room gets no more of it', async () => {
    const [a, b, c] = nodes as [Node, Node, Node];
    const [first, second] = [sessionPath(), sessionPath()];
    assert.equal(await poll(a, first), 'o\n');
    assert.equal(await poll(c, second), 'o\n');
    await send(b, second, 'id', 'join:r');
    const id = /^a\["id:([^"]+)"\]\n$/.exec(await poll(a, second))?.[1];
    assert.ok(id, 'the connection id');
    await send(c, first, 'to:' + id + ':direct');
    await send(a, second, 'leave:r');
    await delay(20);
    await send(b, first, 'room:after-leave', 'all:everyone');
    await delay(50);
    assert.equal(await poll(b, second), 'a["a>direct","a>everyone"]\n');
    assert.equal(await poll(c, first), 'a["a>everyone"]\n');
  });

  it('relays jsonp and htmlfile receivers from the owner through other nodes, each in its own envelope', async () => {
    const [a, b, c] = nodes as [Node, Node, Node];
    const path = sessionPath();
    const jsonp = async (node: Node) => {
      const res = await fetch(`${node.url}${path}/jsonp?c=cb`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /application\/javascript/);
      return res.text();
    };
    assert.equal(await jsonp(a), '/**/cb("o");\r\n');
    const sent = await fetch(`${c.url}${path}/jsonp_send`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'd=' + encodeURIComponent('["j1"]') });
    assert.equal(sent.status, 200);
    assert.equal(await sent.text(), 'ok');
    assert.equal(await jsonp(b), '/**/cb("a[\\"a:j1\\"]");\r\n');
    const html = await fetch(`${c.url}${path}/htmlfile?c=hf`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    const reader = html.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    assert.equal(await send(b, path, 'h1'), 204);
    while (!seen.includes('a[\\"a:h1\\"]')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`htmlfile ended early: ${seen.slice(-80)}`);
      seen += decoder.decode(value);
    }
    assert.match(seen, /<script>\s*p\("a\[\\"a:h1\\"\]"\);\s*<\/script>/);
    assert.ok(seen.includes('var c = parent.hf;'), 'the htmlfile page with the callback, written by the entry node');
    await reader.cancel();
  });

  it('frees a session id cluster-wide when its session ends', async () => {
    const [a] = nodes as [Node];
    const path = sessionPath();
    const key = `sockjs:s:/echo:${path.split('/')[2]}`;
    assert.equal(await broker.owner(key), null);
    assert.equal(await poll(a, path), 'o\n');
    assert.equal(await broker.owner(key), 'a');
    await delay(800); // disconnect_delay 500
    assert.equal(await broker.owner(key), null);
  });
});

/**
 * Two nodes on a fresh broker and a session owned by `a` whose poll waits on `b`: the starting point of
 * the failure tests. Stops both nodes itself when the setup fails; after it returns the test owns them.
 */
async function twoNodesWithWaitingPoll(nameA: string, nameB: string) {
  const broker = new MemoryBroker();
  const [a, b] = await Promise.all([startNode(broker, nameA), startNode(broker, nameB)]);
  try {
    await delay(150);
    const path = sessionPath();
    assert.equal(await poll(a, path), 'o\n');
    const waiting = fetch(`${b.url}${path}/xhr`, { method: 'POST' }).then((r) => r.text());
    await delay(50);
    return { broker, a, b, path, waiting };
  } catch (error) {
    await Promise.all([stopNode(a), stopNode(b)]);
    throw error;
  }
}

describe('cluster failures on a MemoryBroker', () => {
  it('a waiting poll whose owner dies gets a close frame within the node timeout, and sends get 404', async () => {
    const { a, b, path, waiting } = await twoNodesWithWaitingPoll('fa', 'fb');
    try {
      // Silence node a as a crash would: no goodbye, no more heartbeats, no answers.
      await a.cluster.close().catch(() => {});
      const started = Date.now();
      assert.equal(await waiting, 'c[1011,"Session lost"]\n');
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
      assert.equal(await send(b, path, 'x'), 404);
    } finally {
      await stopNode(b);
      await a.sockjs.close();
      a.http.closeAllConnections();
      a.http.close();
    }
  });

  it('a stalled event loop does not make the nodes declare each other gone and free their sessions', async () => {
    const { broker, a, b, path, waiting } = await twoNodesWithWaitingPoll('sa', 'sb');
    try {
      // Every node in this process stands still for longer than the node timeout (400 ms), as on a long GC pause.
      const until = Date.now() + 700;
      while (Date.now() < until);
      await delay(250);
      assert.equal(await broker.owner(`sockjs:s:/echo:${path.split('/')[2]}`), 'sa', 'the session is still claimed by its node');
      assert.equal(await send(b, path, 'after-stall'), 204);
      assert.equal(await waiting, 'a["sa:after-stall"]\n');
    } finally {
      await Promise.all([stopNode(a), stopNode(b)]);
    }
  });

  it('goes on as a single node while the broker is down, and serves across nodes again when it is back', async () => {
    const broker = new MemoryBroker();
    const [a, b] = await Promise.all([startNode(broker, 'oa'), startNode(broker, 'ob')]);
    try {
      await delay(150);
      broker.setAvailable(false);
      const local = sessionPath();
      assert.equal(await poll(a, local), 'o\n');
      assert.equal(await send(a, local, 'still'), 204);
      assert.equal(await poll(a, local), 'a["oa:still"]\n');
      assert.ok(a.cluster.stats.brokerErrors > 0);
      broker.setAvailable(true);
      await delay(50);
      // The session made during the outage was claimed again: other nodes find it.
      assert.equal(await send(b, local, 'again'), 204);
      assert.equal(await poll(b, local), 'a["oa:again"]\n');
    } finally {
      await Promise.all([stopNode(a), stopNode(b)]);
    }
  });
});
