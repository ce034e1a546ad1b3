// Helpers for driving the real `sockjs-client` npm package (1.6.x) from Node
// against the standard test server. Every wait is bounded and fails with a
// message naming the transport and what was expected, so a broken server
// shows up as a readable assertion instead of a hung test run.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { after, afterEach, before } from 'node:test';
import { startTestServer, type RunningTestServer } from './test-server.ts';

/** The transports this suite requires to work from Node (see transport `enabled()` checks in sockjs-client/lib). */
export const NODE_TRANSPORTS = ['websocket', 'xhr-streaming', 'xhr-polling', 'eventsource'] as const;
export type NodeTransport = (typeof NODE_TRANSPORTS)[number];

export interface SockJSCloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/** The subset of the sockjs-client 1.x instance API these tests use. */
interface SockJSInstance {
  readonly readyState: number;
  /** Name of the transport in use; set when the connection opens, null again after close. */
  readonly transport: string | null | undefined;
  readonly url: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: unknown) => void): void;
}

interface SockJSOptions {
  transports?: string[];
  timeout?: number;
  server?: string;
  sessionId?: number | (() => string);
}

type SockJSConstructor = new (url: string, protocols: null, options?: SockJSOptions) => SockJSInstance;

// sockjs-client ships no typings; its runtime shape is checked here once instead of trusted.
const loaded: unknown = createRequire(import.meta.url)('sockjs-client');
if (typeof loaded !== 'function') throw new Error('sockjs-client did not export a constructor');
const SockJS = loaded as SockJSConstructor;
export const SOCKJS_CLIENT_VERSION: unknown = (loaded as { version?: unknown }).version;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Short, readable description of a string for failure messages (the strings here can be 64 KiB). */
export function describeString(s: string): string {
  return s.length <= 80 ? JSON.stringify(s) : `${JSON.stringify(s.slice(0, 60))}… (${s.length} code units)`;
}

/**
 * Exact code-unit comparison with a failure message that points at the first
 * difference; `assert.equal` on 64 KiB strings produces an unreadable diff.
 */
export function sameCodeUnits(actual: string, expected: string): string | null {
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual.charCodeAt(i) !== expected.charCodeAt(i)) {
      const hex = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      return `first difference at index ${i}: got ${hex(actual.charCodeAt(i))}, expected ${hex(expected.charCodeAt(i))} (lengths ${actual.length} vs ${expected.length})`;
    }
  }
  if (actual.length !== expected.length) return `length differs: got ${actual.length}, expected ${expected.length}`;
  return null;
}

export function randomToken(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

type Waiter = { resolve: () => void };

const openClients = new Set<TestClient>();

/**
 * One sockjs-client connection. Events are recorded from construction on, so
 * nothing is lost between `await`s; reads consume the recorded queue.
 */
export class TestClient {
  readonly sock: SockJSInstance;
  readonly label: string;
  /** Server and session id used in the transport URLs (we choose them so raw requests can target the session). */
  readonly serverId: string;
  readonly sessionId: string;
  readonly baseUrl: string;
  /** Transport reported by the client when the open event fired. */
  transportAtOpen: string | null = null;
  private readonly queue: string[] = [];
  private closeInfo: SockJSCloseInfo | null = null;
  private opened = false;
  private readonly problems: string[] = [];
  private waiters: Waiter[] = [];

  constructor(baseUrl: string, transport: string | undefined, label?: string) {
    this.baseUrl = baseUrl;
    this.serverId = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
    this.sessionId = randomToken(8);
    this.label = label ?? `${transport ?? 'default transports'} ${baseUrl}`;
    const sessionId = this.sessionId;
    this.sock = new SockJS(baseUrl, null, {
      ...(transport ? { transports: [transport] } : {}),
      // The client's own per-attempt timeout is ~2×(300 ms + RTT) on loopback;
      // a busy CI machine can exceed that and silently fall back to another
      // transport, so give each attempt a fixed 5 s.
      timeout: 5000,
      server: this.serverId,
      sessionId: () => sessionId,
    });
    openClients.add(this);
    this.sock.addEventListener('open', () => {
      this.opened = true;
      this.transportAtOpen = this.sock.transport ?? null;
      this.wake();
    });
    this.sock.addEventListener('message', (event: unknown) => {
      const data = isRecord(event) ? event.data : undefined;
      if (typeof data === 'string') this.queue.push(data);
      else this.problems.push(`non-string message data: ${String(data)}`);
      this.wake();
    });
    this.sock.addEventListener('close', (event: unknown) => {
      const e = isRecord(event) ? event : {};
      this.closeInfo = {
        code: typeof e.code === 'number' ? e.code : Number.NaN,
        reason: typeof e.reason === 'string' ? e.reason : String(e.reason),
        wasClean: e.wasClean === true,
      };
      openClients.delete(this);
      this.wake();
    });
  }

  get closed(): SockJSCloseInfo | null {
    return this.closeInfo;
  }

  /** Messages received and not yet consumed. */
  pending(): readonly string[] {
    return this.queue;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
  }

  /** Waits until `ready()` returns a value, re-checking after every client event. */
  private async waitFor<T>(what: string, timeoutMs: number, ready: () => T | undefined): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.problems.length) throw new Error(`${this.label}: ${this.problems.join('; ')}`);
      const value = ready();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) {
        const state = this.closeInfo
          ? `closed with ${this.closeInfo.code} ${JSON.stringify(this.closeInfo.reason)}`
          : this.opened
            ? 'open'
            : 'still connecting';
        throw new Error(`${this.label}: timed out after ${timeoutMs} ms waiting for ${what} (client ${state}, ${this.queue.length} unread messages)`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push({
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
  }

  async waitOpen(timeoutMs = 10_000): Promise<void> {
    await this.waitFor('the open event', timeoutMs, () => {
      if (this.opened) return true;
      if (this.closeInfo) {
        throw new Error(
          `${this.label}: closed before opening: ${this.closeInfo.code} ${JSON.stringify(this.closeInfo.reason)}`,
        );
      }
      return undefined;
    });
  }

  /** Next unread message; fails if the connection closes first. */
  async nextMessage(timeoutMs = 5000): Promise<string> {
    return this.waitFor('a message', timeoutMs, () => {
      if (this.queue.length) return this.queue.shift();
      if (this.closeInfo) {
        throw new Error(
          `${this.label}: closed (${this.closeInfo.code} ${JSON.stringify(this.closeInfo.reason)}) while waiting for a message`,
        );
      }
      return undefined;
    });
  }

  /** The next `n` unread messages, in arrival order. */
  async messages(n: number, timeoutMs = 5000): Promise<string[]> {
    await this.waitFor(`${n} messages`, timeoutMs, () => {
      if (this.queue.length >= n) return true;
      if (this.closeInfo) {
        throw new Error(
          `${this.label}: closed (${this.closeInfo.code} ${JSON.stringify(this.closeInfo.reason)}) after ${this.queue.length} of ${n} messages`,
        );
      }
      return undefined;
    });
    return this.queue.splice(0, n);
  }

  async waitClosed(timeoutMs = 5000): Promise<SockJSCloseInfo> {
    return this.waitFor('the close event', timeoutMs, () => this.closeInfo ?? undefined);
  }

  send(message: string): void {
    this.sock.send(message);
  }

  /** Closes from the client side and waits for the client's close event. */
  async close(code = 1000, reason = 'bye', timeoutMs = 5000): Promise<SockJSCloseInfo> {
    if (!this.closeInfo) this.sock.close(code, reason);
    return this.waitClosed(timeoutMs);
  }

  /**
   * The faye-websocket client under the websocket transport (sockjs-client
   * internals), used to watch the WebSocket closing handshake that the SockJS
   * API hides. Returns null for other transports.
   */
  underlyingWebSocket(): { addEventListener(type: string, listener: (event: unknown) => void): void } | null {
    const transport: unknown = (this.sock as unknown as { _transport?: unknown })._transport;
    if (!isRecord(transport)) return null;
    const ws = transport.ws;
    if (!isRecord(ws) || typeof ws.addEventListener !== 'function') return null;
    const add = ws.addEventListener as (type: string, listener: (event: unknown) => void) => void;
    return { addEventListener: (type, listener) => add.call(ws, type, listener) };
  }
}

/** Opens a client (optionally forcing one transport) and waits for its open event. */
export async function openClient(baseUrl: string, transport?: string, timeoutMs = 10_000): Promise<TestClient> {
  const client = new TestClient(baseUrl, transport);
  await client.waitOpen(timeoutMs);
  return client;
}

/** Closes every client still open (for `afterEach`), so failed tests do not keep the process alive. */
export async function closeAllClients(): Promise<void> {
  const clients = [...openClients];
  await Promise.all(
    clients.map(async (c) => {
      try {
        await c.close(1000, 'test cleanup', 5000);
      } catch {
        // Already reported by the failing test; nothing more to clean.
      }
    }),
  );
  // Let the client's deferred cleanups (eventsource receiver waits 200 ms) run before the next test.
  if (clients.length) await delay(250);
}

/** GET `<serviceUrl>/info` and parse it. */
export async function fetchInfo(serviceUrl: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${serviceUrl}/info`, { signal: AbortSignal.timeout(5000) });
  const body: unknown = await res.json();
  if (res.status !== 200 || !isRecord(body)) throw new Error(`GET ${serviceUrl}/info: status ${res.status}, body ${JSON.stringify(body)}`);
  return body;
}

/** Raw `xhr_send` with an empty batch: 204 while the session exists, 404 once it is gone (PROTOCOL.md 3.4, 4.2). */
export async function probeSession(client: TestClient): Promise<number> {
  const res = await fetch(`${client.baseUrl}/${client.serverId}/${client.sessionId}/xhr_send`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain' },
    body: '[]',
    signal: AbortSignal.timeout(5000),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Every UTF-16 code unit 0x0000–0xFFFF, lone surrogates included, split into `parts` strings. */
export function allCodeUnits(parts: number): string[] {
  const size = 0x10000 / parts;
  const out: string[] = [];
  for (let p = 0; p < parts; p++) {
    const units = new Array<number>(size);
    for (let i = 0; i < size; i++) units[i] = p * size + i;
    // fromCharCode keeps lone surrogates as-is, unlike building from code points.
    let s = '';
    for (let i = 0; i < size; i += 4096) s += String.fromCharCode(...units.slice(i, i + 4096));
    out.push(s);
  }
  return out;
}

/**
 * The standard test server for one describe block: started before its tests,
 * every client closed after each test, the server stopped at the end. Read
 * `.server` inside tests (it is set once the block starts).
 */
export function useTestServer(adapter: string): { readonly server: RunningTestServer } {
  const holder = {} as { server: RunningTestServer };
  before(async () => {
    holder.server = await startTestServer(adapter);
  });
  afterEach(closeAllClients);
  after(async () => {
    await closeAllClients();
    await holder.server?.stop();
  });
  return holder;
}
