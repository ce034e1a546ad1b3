// Every browser transport of sockjs-client, forced one at a time in headless
// Chromium, with the page on the SockJS server's own origin and on another
// origin, against the plain http.Server mount and a framework adapter.
//
// Placements:
// - same origin: the page's document belongs to the test server's origin. The
//   test server serves no HTML of its own, so the page navigates to one of its
//   URLs (a 404) and replaces the document with `setContent`, which keeps the
//   origin; the bundle and every SockJS request then go to the real server.
// - another origin: the page comes from a second HTTP server addressed as
//   `localhost:<port>` and loads the bundle from `127.0.0.1:<server port>`,
//   so CORS, the iframe page and postMessage are all exercised.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type RunningTestServer } from '../helpers/test-server.ts';
import { CHROMIUM_MISSING, launchChromium, startPageServer, type LaunchedBrowser, type PageServer } from './browser.ts';
import { harnessPage, type Closed, type Harness, type Opened } from './harness-page.ts';

/** The page's global object as the harness script leaves it. */
type PageGlobal = typeof globalThis & { harness: Harness; harnessReady?: boolean };

/** The order sockjs-client itself tries them in, minus the IE-only xdr ones. */
const BROWSER_TRANSPORTS = [
  'websocket',
  'xhr-streaming',
  'eventsource',
  'iframe-eventsource',
  'htmlfile',
  'iframe-htmlfile',
  'xhr-polling',
  'iframe-xhr-polling',
  'jsonp-polling',
] as const;

/** The plain mount plus one framework adapter, unless overridden. */
const ADAPTERS = (process.env.SOCKJS_BROWSER_ADAPTERS ?? 'http,express').split(',').filter(Boolean);

type Placement = 'same origin' | 'another origin';
const PLACEMENTS: readonly Placement[] = ['same origin', 'another origin'];

// Strings that break naive framing: multi-byte and astral characters, the
// JavaScript line terminators htmlfile/jsonp must escape, markup that would
// end the htmlfile <script> or the jsonp callback, JSON look-alikes, and one
// message above /echo's response_limit (4096) so streaming responses recycle.
const MESSAGES = [
  'héllo wörld ☃ 日本語 한국어 עברית 🎉💩',
  '\u2028\u2029\u0000\u001f\u007f\u00ad\ufeff\ufffd',
  '<script>alert(1)</script></script><!-- --> <b>bold</b> &amp; &lt;',
  '"quoted" \\back\\slash\\ \n\r\t end',
  '["a","b"]',
  'c[3000,"not a close frame"]',
  `${'ünïcødé→'.repeat(700)}!`,
];

// Skipped per test, not per suite, so the run counts every skipped cell.
const TEST_OPTIONS = { timeout: 45_000, skip: CHROMIUM_MISSING ?? false };

async function openPage(browser: LaunchedBrowser, server: RunningTestServer, pages: PageServer, placement: Placement) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (placement === 'same origin') {
    await page.goto(`${server.baseUrl}/browser-harness`);
    await page.setContent(harnessPage('/lib/sockjs.min.js'));
  } else {
    await page.goto(`${pages.origin}/`);
  }
  const ready = await page.evaluate(() => (globalThis as PageGlobal).harnessReady === true);
  assert.ok(ready, `the page did not load the sockjs-client bundle (${page.url()}); errors: ${errors.join('; ')}`);
  return { page, close: () => context.close(), errors };
}

/**
 * sockjs-client's htmlfile receiver deletes its callback object at once when
 * it is aborted but removes the iframe only on a later tick
 * (lib/transport/receiver/htmlfile.js `_cleanup`, lib/utils/iframe.js), so an
 * htmlfile response arriving in between throws this inside the page. It says
 * nothing about the server; every other page error fails the test.
 */
function isClientHtmlfileRace(transport: string, message: string): boolean {
  return transport.endsWith('htmlfile') && message === "Cannot read properties of undefined (reading 'start')";
}

function open(page: Page, url: string, transport: string): Promise<Opened> {
  return page.evaluate(([u, t]) => (globalThis as PageGlobal).harness.open(u, t), [url, transport] as const);
}

function closed(page: Page, id: number): Promise<Closed> {
  return page.evaluate(([i]) => (globalThis as PageGlobal).harness.closed(i, 15_000), [id] as const);
}

for (const adapter of ADAPTERS) {
  describe(`browser transports in Chromium (adapter ${adapter})`, () => {
    let server: RunningTestServer;
    let browser: LaunchedBrowser;
    let pages: PageServer;

    before(async () => {
      if (CHROMIUM_MISSING) return;
      server = await startTestServer(adapter);
      browser = await launchChromium();
      pages = await startPageServer(harnessPage(`${server.baseUrl}/lib/sockjs.min.js`));
    });
    after(async () => {
      await pages?.close();
      await browser?.close();
      await server?.stop();
    });

    for (const placement of PLACEMENTS) {
      // One browser context per test: separate connection pools, so streaming
      // transports running side by side cannot starve each other of Chromium's
      // six connections per host.
      describe(`page on ${placement}`, { concurrency: true }, () => {
        for (const transport of BROWSER_TRANSPORTS) {
          if (transport === 'htmlfile' && placement === 'another origin') {
            // sockjs-client enables plain htmlfile only when the page and the
            // server share an origin (`HtmlFileTransport.enabled`); across
            // origins it is reached through iframe-htmlfile, tested below.
            it('htmlfile is refused by sockjs-client itself (same-origin only; iframe-htmlfile covers it)', TEST_OPTIONS, async () => {
              const { page, close } = await openPage(browser, server, pages, placement);
              try {
                await assert.rejects(open(page, `${server.baseUrl}/echo`, transport), /2000 All transports failed/);
              } finally {
                await close();
              }
            });
            continue;
          }

          it(`${transport}: echoes unicode and markup, reports server close`, TEST_OPTIONS, async () => {
            const { page, close, errors } = await openPage(browser, server, pages, placement);
            try {
              const echo = await open(page, `${server.baseUrl}/echo`, transport);
              assert.equal(echo.transport, transport, 'the client must really use the forced transport');

              const echoed = await page.evaluate(([id, m]) => (globalThis as PageGlobal).harness.echo(id, m, 15_000), [echo.id, MESSAGES] as const);
              assert.deepEqual(echoed, MESSAGES);

              await page.evaluate(([id]) => (globalThis as PageGlobal).harness.close(id), [echo.id] as const);
              const clientClose = await closed(page, echo.id);
              assert.equal(clientClose.code, 1000);

              const doomed = await open(page, `${server.baseUrl}/close`, transport);
              assert.equal(doomed.transport, transport);
              const serverClose = await closed(page, doomed.id);
              assert.deepEqual(
                { code: serverClose.code, reason: serverClose.reason, wasClean: serverClose.wasClean },
                { code: 3000, reason: 'Go away!', wasClean: true },
              );
              assert.deepEqual(errors.filter((e) => !isClientHtmlfileRace(transport, e)), [], 'uncaught errors in the page');
            } catch (error) {
              throw new Error(`${adapter} / ${placement} / ${transport}: ${String(error)}\nserver output:\n${server.output()}`, { cause: error });
            } finally {
              await close();
            }
          });
        }
      });
    }
  });
}
