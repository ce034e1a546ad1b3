// shoe 0.0.15, a stream wrapper written for sockjs 0.3 (its
// `sockjs.createServer()` then `installHandlers(server, { prefix, log })`,
// and its wrappers of `conn._session.didTimeout`), with its `sockjs` linked
// to the project: its invert example, driven by the real sockjs-client.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from '../examples/example-process.ts';
import { openClient } from '../helpers/sockjs-client.ts';
import { waitFor } from './wait-for.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));

for (const transport of ['websocket', 'xhr-streaming'] as const) {
  it(`shoe's invert example over ${transport}: bits flow both ways, and a closed session runs shoe's cleanup`, { timeout: 30_000 }, async (t) => {
    const server = await startServerProcess('shoe example', HERE, ['shoe/server.cjs']);
    t.after(() => server.stop());
    const client = await openClient(`${server.baseUrl}/invert`, transport);
    const bits = await client.messages(5);
    assert.ok(bits.every((b) => b === '0' || b === '1'), bits.join());
    const inverted = bits.map((b) => String(Number(b) ^ 1)).join('');
    for (const b of inverted) client.send(b);
    await waitFor(() => server.output().includes(inverted), () => server.output());
    await client.close();
    await waitFor(() => server.output().includes('[end]'), () => server.output());
    // shoe's didTimeout wrapper emits `close` itself before the session's own `end` and `close`.
    const events = server.output().match(/\[(end|close)\]/g) ?? [];
    assert.deepEqual(events, ['[close]', '[end]', '[close]']);
  });
}
