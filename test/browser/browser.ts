// Headless Chromium for the browser suites: Debian's /usr/bin/chromium driven
// by playwright-core. Never a downloaded browser: when the system one is
// missing, callers skip with CHROMIUM_MISSING instead of passing.
import { existsSync } from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Skip reason when there is no browser; `null` when the suite can run. */
export const CHROMIUM_MISSING: string | null = existsSync(CHROMIUM_PATH) ? null : `chromium not found at ${CHROMIUM_PATH}`;

export interface LaunchedBrowser {
  readonly browser: Browser;
  /** A fresh incognito-like context: no cookies or cache shared between tests. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  // playwright-core refuses --user-data-dir in launch() and always gives
  // Chromium a fresh temporary profile of its own, deleted on close: no
  // cookies or cached iframe pages leak from earlier runs.
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // The machine's network is closed: without these, Chromium keeps trying
    // to reach Google services in the background.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    newContext: () => browser.newContext(),
    async close() {
      await browser.close();
    },
  };
}

export interface PageServer {
  /** e.g. `http://localhost:40123` */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * A second, unrelated origin that serves one HTML page at every path, for
 * the "page on another origin" placement. It listens on 127.0.0.1 but is
 * addressed as `localhost`, so it differs from the SockJS server
 * (`127.0.0.1:<other port>`) in host and port: cross-origin and cross-site.
 */
export async function startPageServer(html: string): Promise<PageServer> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Cache-Control': 'no-store' });
    res.end(html);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('page server has no TCP address');
  return {
    origin: `http://localhost:${address.port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
