// The demo page in headless Chromium, as a newcomer uses it: two tabs join
// the chat, one forces another transport through the page's picker, and a
// message typed in one tab appears in the other (both ways).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startExample, type RunningExample } from '../examples/example-process.ts';
import { CHROMIUM_MISSING, launchChromium, type LaunchedBrowser } from './browser.ts';
import { readPng } from './png.ts';

const OPTIONS = { timeout: 45_000, skip: CHROMIUM_MISSING ?? false };

describe('demo chat in Chromium', () => {
  let demo: RunningExample;
  let browser: LaunchedBrowser;

  before(async () => {
    if (CHROMIUM_MISSING) return;
    demo = await startExample('demo');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  /** A tab in its own browser context: a separate user, as in two browsers. */
  async function tab(name: string): Promise<Page> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${demo.baseUrl}/?name=${name}`);
    return page;
  }

  async function waitText(page: Page, selector: string, text: string | RegExp): Promise<void> {
    await page.locator(selector).filter({ hasText: text }).first().waitFor({ timeout: 15_000 });
  }

  it('the live panel shows the server\'s sessions by transport and messages/s; screenshot', OPTIONS, async () => {
    const ada = await tab('ada');
    const bob = await tab('bob');
    try {
      await waitText(ada, '#transport', 'websocket');
      await bob.selectOption('#transport-select', 'xhr-polling');
      await waitText(bob, '#transport', 'xhr-polling (forced)');
      // Bob's first (websocket) session may linger a moment: wait for the server's own count to settle.
      for (const page of [ada, bob]) {
        await waitText(page, '#live [data-transport="websocket"]', /^1$/);
        await waitText(page, '#live [data-transport="xhr-polling"]', /^1$/);
        await waitText(page, '#live-open', /^2$/);
      }
      assert.equal(await ada.locator('#live [data-transport="eventsource"]').textContent(), '0');
      assert.equal(await ada.locator('#live dd.busy').count(), 2, 'only the two transports in use are highlighted');
      const stats = (await (await fetch(`${demo.baseUrl}/stats.json`)).json()) as { byTransport: Record<string, number> };
      assert.equal(stats.byTransport.websocket, 1);
      assert.equal(stats.byTransport['xhr-polling'], 1);

      // Chat for a while: both sides see a non-zero rate and a growing total.
      const before = Number(await ada.locator('#live-total').textContent());
      for (let i = 0; i < 10; i++) {
        await ada.fill('#text', `message ${i}`);
        await ada.press('#text', 'Enter');
      }
      await waitText(bob, '#messages .msg', 'message 9');
      await waitText(ada, '#live-rate', /^(?!0\.0$)\d+\.\d$/);
      // Each message is read once by the server and written to both tabs.
      await bob.waitForFunction(`Number(document.getElementById('live-total').textContent) >= ${before + 30}`, undefined, { timeout: 15_000 });

      const panel = ada.locator('#live');
      const shot = await panel.screenshot();
      const box = (await panel.boundingBox())!;
      const png = readPng(shot);
      if (process.env.SCREENSHOT_DIR) writeFileSync(`${process.env.SCREENSHOT_DIR}/demo-live-panel.png`, shot);
      // The box is fractional; the screenshot covers every pixel it touches.
      const fits = (pixels: number, size: number) => pixels >= size && pixels <= Math.ceil(size) + 1;
      assert.ok(fits(png.width, box.width) && fits(png.height, box.height), `${png.width}x${png.height} for ${box.width}x${box.height}`);
      assert.ok(png.width > 100 && png.height > 80, `panel is ${png.width}x${png.height}`);
      assert.ok(png.distinctBytes > 20, `the panel renders text (${png.distinctBytes} distinct byte values)`);
    } catch (error) {
      throw new Error(`${String(error)}\ndemo output:\n${demo.output()}`, { cause: error });
    } finally {
      await ada.context().close();
      await bob.context().close();
    }
  });

  it('two tabs see each other, talk both ways, on different transports', OPTIONS, async () => {
    const ada = await tab('ada');
    const bob = await tab('bob');
    try {
      await waitText(ada, '#transport', 'websocket');
      await waitText(ada, '#latency', /^\d+(\.\d+)? ms$/);

      // Bob forces a polling transport with the picker: the page reconnects.
      await waitText(bob, '#status', 'connected');
      await bob.selectOption('#transport-select', 'jsonp-polling');
      await waitText(bob, '#transport', 'jsonp-polling (forced)');
      assert.match(bob.url(), /[?&]transport=jsonp-polling/);

      for (const page of [ada, bob]) {
        await waitText(page, '#count', '(2)');
        await waitText(page, '#users li', /bob\s*jsonp-polling/);
        await waitText(page, '#users li', /ada\s*websocket/);
      }

      const hello = 'hello from ada: ünïcödé 🎉 <b>not bold</b>';
      await ada.fill('#text', hello);
      await ada.press('#text', 'Enter');
      await waitText(bob, '#messages .msg', hello);
      // Markup arrives as text, never as elements.
      assert.equal(await bob.locator('#messages b').count(), 0);

      await bob.fill('#text', 'hi ada, bob here');
      await bob.press('#text', 'Enter');
      await waitText(ada, '#messages .msg', 'hi ada, bob here');
      await waitText(bob, '#latency', /^\d+(\.\d+)? ms$/);
    } catch (error) {
      throw new Error(`${String(error)}\ndemo output:\n${demo.output()}`, { cause: error });
    } finally {
      await ada.context().close();
      await bob.context().close();
    }
  });

  it('a tab that leaves disappears from the other tab', OPTIONS, async () => {
    const ada = await tab('ada');
    const eve = await tab('eve');
    try {
      await waitText(ada, '#users li', 'eve');
      await eve.context().close();
      await ada.locator('#users li', { hasText: 'eve' }).waitFor({ state: 'detached', timeout: 15_000 });
    } finally {
      await ada.context().close();
    }
  });
});
