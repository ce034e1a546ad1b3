// A `ws` client that records everything from the moment it is created, so
// tests can await "the next message" or "the close" without racing events.
import type { TestContext } from 'node:test';
import WebSocket from 'ws';
import { DEFAULT_READ_TIMEOUT } from './raw-http.ts';

export interface WsClose {
  readonly code: number;
  readonly reason: string;
}

export type WsEvent = { kind: 'message'; text: string; binary: boolean } | { kind: 'close'; close: WsClose };

export class QueuedWebSocket {
  readonly #events: WsEvent[] = [];
  #wake: (() => void) | null = null;
  #error: Error | null = null;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      this.#push({ kind: 'message', text: buf.toString('utf8'), binary: isBinary });
    });
    ws.on('close', (code: number, reason: Buffer) => this.#push({ kind: 'close', close: { code, reason: reason.toString('utf8') } }));
    ws.on('error', (err: Error) => {
      this.#error = err;
      this.#notify();
    });
    this.opened = new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  #push(event: WsEvent): void {
    this.#events.push(event);
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  async #next(what: string, timeoutMs: number): Promise<WsEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.#events.shift();
      if (event) return event;
      if (this.#error && this.ws.readyState === WebSocket.CLOSED) throw new Error(`websocket error while waiting for ${what}: ${this.#error.message}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The next message or close, whichever comes first. */
  nextEvent(timeoutMs = DEFAULT_READ_TIMEOUT): Promise<WsEvent> {
    return this.#next('a message or the close', timeoutMs);
  }

  /** The next text message; fails if the connection closes first or a binary message arrives. */
  async nextMessage(timeoutMs = DEFAULT_READ_TIMEOUT): Promise<string> {
    const event = await this.#next('a message', timeoutMs);
    if (event.kind === 'close') throw new Error(`expected a message, connection closed with ${event.close.code} ${JSON.stringify(event.close.reason)}`);
    if (event.binary) throw new Error(`expected a text message, got binary ${JSON.stringify(event.text)}`);
    return event.text;
  }

  /** The close; fails if a message arrives first. */
  async nextClose(timeoutMs = DEFAULT_READ_TIMEOUT): Promise<WsClose> {
    const event = await this.#next('the connection to close', timeoutMs);
    if (event.kind === 'message') throw new Error(`expected the close, got message ${JSON.stringify(event.text)}`);
    return event.close;
  }

  send(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.ws.send(data, { binary: options.binary ?? false });
  }

  /** Clean close from our side; resolves when the server has answered it. */
  async close(code = 1000, reason = ''): Promise<WsClose> {
    if (this.ws.readyState === WebSocket.CLOSED) return { code, reason };
    this.ws.close(code, reason);
    return this.nextClose();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** Opens `url`, waits for the handshake, and terminates the socket when test `t` ends. */
export async function openWebSocket(t: TestContext, url: string, options: WebSocket.ClientOptions = {}): Promise<QueuedWebSocket> {
  // No permessage-deflate offer: the server must work without extensions, and frames stay readable.
  const client = new QueuedWebSocket(new WebSocket(url, { perMessageDeflate: false, ...options }));
  t.after(() => client.terminate());
  await client.opened;
  return client;
}
