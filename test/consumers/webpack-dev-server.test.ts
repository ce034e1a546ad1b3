// webpack-dev-server 4 with `webSocketServer: 'sockjs'`, its `sockjs`
// linked to the project: the real dev server (which patches
// `sockjs/lib/transport`'s Session and checks Host and Origin on every
// connection) and its real browser client in headless Chromium. A file edit
// must reach the page as a hot update, without a reload, over WebSocket and
// over xhr-streaming (the page has no WebSocket).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startServerProcess, type RunningExample } from '../examples/example-process.ts';
import { CHROMIUM_MISSING, launchChromium, type LaunchedBrowser } from '../browser/browser.ts';
import { waitFor } from './wait-for.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const OPTIONS = { timeout: 60_000, skip: CHROMIUM_MISSING ?? false };

describe('webpack-dev-server 4 hot reload on the project as sockjs', () => {
  let browser: LaunchedBrowser;

  before(async () => {
    if (!CHROMIUM_MISSING) browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  /** A copy of the fixture app (the test edits it) served by webpack-dev-server. */
  async function devServer(t: { after(fn: () => unknown): void }): Promise<{ server: RunningExample; edit(message: string): void }> {
    const dir = mkdtempSync(join(tmpdir(), 'wds-app-'));
    cpSync(join(HERE, 'webpack-dev-server/app'), dir, { recursive: true });
    const server = await startServerProcess('webpack-dev-server', HERE, ['webpack-dev-server/serve.cjs', dir]);
    t.after(async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    return { server, edit: (message) => writeFileSync(join(dir, 'src/message.js'), `export const message = ${JSON.stringify(message)};\n`) };
  }

  async function hotUpdate(t: { after(fn: () => unknown): void }, withoutWebSocket: boolean) {
    const { server, edit } = await devServer(t);
    const context = await browser.newContext();
    t.after(() => context.close());
    // sockjs-client picks its transports when it loads: without a WebSocket constructor it streams over XHR.
    if (withoutWebSocket) await context.addInitScript('window.WebSocket = undefined;');
    const page: Page = await context.newPage();
    const sockets: string[] = [];
    const requests: string[] = [];
    const log: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    page.on('request', (req) => requests.push(new URL(req.url()).pathname));
    page.on('console', (m) => log.push(m.text()));
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${server.baseUrl}/`);
    const out = page.locator('#out');
    await out.filter({ hasText: 'version 1' }).waitFor({ timeout: 20_000 });
    // The client logs this once the dev server accepted the connection (its host/origin check passed).
    await waitFor(() => log.some((l) => l.includes('Hot Module Replacement enabled')), () => log.join('\n'));
    edit('version 2');
    await out.filter({ hasText: 'version 2' }).waitFor({ timeout: 30_000 }).catch((error: unknown) => {
      throw new Error(`no hot update: ${String(error)}\nconsole:\n${log.join('\n')}\nserver:\n${server.output()}`);
    });
    assert.equal(loads, 1, 'the page was reloaded instead of hot-updated');
    assert.ok(!log.some((l) => l.includes('Invalid Host/Origin header')), log.join('\n'));
    assert.ok(requests.some((p) => p.endsWith('.hot-update.json')), 'the update was not fetched as a hot update');
    return { sockets, requests };
  }

  it('over WebSocket', OPTIONS, async (t) => {
    const { sockets, requests } = await hotUpdate(t, false);
    assert.ok(sockets.some((url) => /\/ws\/[^/]+\/[^/]+\/websocket$/.test(url)), sockets.join('\n'));
    assert.ok(!requests.some((p) => p.endsWith('/xhr_streaming')));
  });

  it('over xhr-streaming', OPTIONS, async (t) => {
    const { sockets, requests } = await hotUpdate(t, true);
    assert.deepEqual(sockets, []);
    assert.ok(requests.some((p) => /^\/ws\/[^/]+\/[^/]+\/xhr_streaming$/.test(p)), requests.join('\n'));
  });
});
