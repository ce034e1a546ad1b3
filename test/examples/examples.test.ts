// Smoke test of every example under examples/: it starts with its own
// command, serves its page and the sockjs-client bundle locally (no CDN),
// points the iframe page at that bundle, and its SockJS service does its job
// for the real sockjs-client over WebSocket and over an HTTP transport.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeAllClients, openClient, type TestClient } from '../helpers/sockjs-client.ts';
import { EXAMPLES_DIR, startExample, type RunningExample } from './example-process.ts';

interface ExampleSpec {
  readonly name: string;
  /** SockJS service path. */
  readonly service: string;
  /** Where the page loads the client bundle from. */
  readonly bundle: string;
  /** Proves the service works, given two open clients. */
  check(a: TestClient, b: TestClient): Promise<void>;
}

const UNICODE = 'héllo ☃ 日本 🎉 <b>&amp;</b> "q" \\ \u2028';

async function echoes(a: TestClient, b: TestClient): Promise<void> {
  for (const client of [a, b]) {
    client.send(UNICODE);
    assert.equal(await client.nextMessage(), UNICODE);
  }
}

async function broadcasts(a: TestClient, b: TestClient): Promise<void> {
  a.send(UNICODE);
  assert.equal(await a.nextMessage(), UNICODE);
  assert.equal(await b.nextMessage(), UNICODE);
}

function parse(raw: string): Record<string, unknown> {
  const value: unknown = JSON.parse(raw);
  assert.ok(typeof value === 'object' && value !== null, `not a JSON object: ${raw}`);
  return value as Record<string, unknown>;
}

/** Next message of the given type, skipping presence updates and the like. */
async function nextOfType(client: TestClient, type: string): Promise<Record<string, unknown>> {
  for (;;) {
    const message = parse(await client.nextMessage());
    if (message.type === type) return message;
  }
}

async function chats(a: TestClient, b: TestClient): Promise<void> {
  a.send(JSON.stringify({ type: 'join', name: 'ada', transport: 'websocket' }));
  const welcome = await nextOfType(a, 'welcome');
  assert.deepEqual(welcome.you, { id: (welcome.you as { id: string }).id, name: 'ada', transport: 'websocket' });
  b.send(JSON.stringify({ type: 'join', name: 'bob' }));
  const welcomeB = await nextOfType(b, 'welcome');
  assert.equal((welcomeB.you as { name: string }).name, 'bob');
  // a's own join announced a room of one; bob's join announces two.
  const names = async () => ((await nextOfType(a, 'presence')).users as { name: string }[]).map((u) => u.name).sort();
  assert.deepEqual(await names(), ['ada']);
  assert.deepEqual(await names(), ['ada', 'bob']);
  b.send(JSON.stringify({ type: 'say', text: UNICODE }));
  const said = await nextOfType(a, 'said');
  assert.equal(said.text, UNICODE);
  assert.equal((said.from as { name: string }).name, 'bob');
  a.send(JSON.stringify({ type: 'ping', id: 7 }));
  assert.deepEqual(await nextOfType(a, 'pong'), { type: 'pong', id: 7 });
}

const EXAMPLES: readonly ExampleSpec[] = [
  { name: 'echo-http', service: '/echo', bundle: '/sockjs.min.js', check: echoes },
  { name: 'echo-express', service: '/echo', bundle: '/sockjs.min.js', check: echoes },
  { name: 'echo-connect', service: '/echo', bundle: '/sockjs.min.js', check: echoes },
  { name: 'echo-koa', service: '/echo', bundle: '/sockjs.min.js', check: echoes },
  { name: 'echo-fastify', service: '/echo', bundle: '/sockjs.min.js', check: echoes },
  { name: 'broadcast', service: '/broadcast', bundle: '/sockjs.min.js', check: broadcasts },
  { name: 'demo', service: '/chat', bundle: '/lib/sockjs.min.js', check: chats },
];

describe('examples', () => {
  it('every example directory is covered here', () => {
    const dirs = readdirSync(EXAMPLES_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    assert.deepEqual(dirs, EXAMPLES.map((e) => e.name).sort());
  });

  it('no example loads anything from the internet', () => {
    for (const spec of EXAMPLES) {
      const dir = join(EXAMPLES_DIR, spec.name);
      for (const entry of readdirSync(dir, { recursive: true })) {
        const file = String(entry);
        if (file.includes('node_modules') || !/\.(html|js|css)$/.test(file)) continue;
        const text = readFileSync(join(dir, file), 'utf8');
        // Any absolute or protocol-relative URL naming a real host name.
        const remote = /(?:https?:)?\/\/(?!127\.0\.0\.1\b)[a-z0-9-]+(?:\.[a-z0-9-]+)+/i.exec(text);
        assert.equal(remote, null, `${spec.name}/${file} refers to a remote URL: ${remote?.[0]}`);
      }
    }
  });
});

for (const spec of EXAMPLES) {
  describe(`example ${spec.name}`, () => {
    let example: RunningExample;
    before(async () => {
      example = await startExample(spec.name);
    });
    after(async () => {
      await closeAllClients();
      await example?.stop();
    });
    afterEach(closeAllClients);

    it('serves its page with the client bundle from its own origin', async () => {
      const page = await fetch(`${example.baseUrl}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const html = await page.text();
      const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]*)"/g)].map((m) => m[1]);
      assert.ok(scripts.includes(spec.bundle), `the page must load ${spec.bundle}; scripts: ${scripts.join(', ')}`);
      for (const src of scripts) assert.match(src!, /^\/(?!\/)|^[a-z][\w.-]*\.js$/, `script ${src} is not served by the example`);

      const bundle = await fetch(`${example.baseUrl}${spec.bundle}`);
      assert.equal(bundle.status, 200);
      assert.match(await bundle.text(), /SockJS/);

      const iframe = await (await fetch(`${example.baseUrl}${spec.service}/iframe.html`)).text();
      assert.ok(iframe.includes(`src="${spec.bundle}"`), `the iframe page must load the local bundle:\n${iframe}`);
    });

    it('its service works for sockjs-client over websocket and xhr-streaming', { timeout: 20_000 }, async () => {
      const url = `${example.baseUrl}${spec.service}`;
      const a = await openClient(url, 'websocket');
      const b = await openClient(url, 'xhr-streaming');
      assert.equal(a.transportAtOpen, 'websocket');
      assert.equal(b.transportAtOpen, 'xhr-streaming');
      try {
        await spec.check(a, b);
      } catch (error) {
        throw new Error(`${String(error)}\nexample output:\n${example.output()}`, { cause: error });
      }
    });
  });
}
