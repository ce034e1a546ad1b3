// The demo page in headless Chromium, as a newcomer uses it: two tabs join
// the chat, one forces another transport through the page's picker, and a
// message typed in one tab appears in the other (both ways).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startExample, type RunningExample } from '../examples/example-process.ts';
import { CHROMIUM_MISSING, launchChromium, type LaunchedBrowser } from './browser.ts';

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
