import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SocketOwner } from './owned-websocket.js';

const KEY3_LENGTH = 8;

/** Key1/Key2 of draft-76: the digits as a number divided by the number of spaces. */
function keyNumber(key: string): number | undefined {
  const digits = key.replace(/[^0-9]/g, '');
  const spaces = key.split(' ').length - 1;
  if (digits === '' || spaces === 0) return undefined;
  const value = Number(digits);
  if (!Number.isSafeInteger(value) || value % spaces !== 0 || value / spaces > 0xffffffff) return undefined;
  return value / spaces;
}

export function hixie76Digest(key1: number, key2: number, key3: Buffer): Buffer {
  const numbers = Buffer.alloc(8);
  numbers.writeUInt32BE(key1, 0);
  numbers.writeUInt32BE(key2, 4);
  return createHash('md5').update(numbers).update(key3).digest();
}

/**
 * A WebSocket of the obsolete hixie-76 draft (text frames `0x00 … 0xFF`,
 * close `0xFF 0x00`), exposing the few members of `ws`'s WebSocket that the
 * SockJS receiver uses. It has no ping, so heartbeats go out as `h` frames.
 */
export class Hixie76Socket {
  private owner: SocketOwner | null = null;
  #buffer: Buffer = Buffer.alloc(0);
  #closed = false;

  constructor(
    private readonly socket: Duplex,
    private readonly maxMessageSize: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => this.#finish());
    socket.on('error', () => this.#finish());
  }

  adopt(owner: SocketOwner): void {
    this.owner = owner;
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /** `payload` is UTF-8 text: hixie-76 has no other kind of frame. */
  send(payload: Buffer, _options: unknown, callback?: (error?: Error | null) => void): void {
    if (this.#closed) return;
    const frame = Buffer.allocUnsafe(payload.length + 2);
    frame[0] = 0x00;
    payload.copy(frame, 1);
    frame[frame.length - 1] = 0xff;
    this.socket.write(frame, callback);
  }

  close(): void {
    if (this.#closed) return;
    this.socket.end(Buffer.from([0xff, 0x00]));
    this.#finish();
  }

  terminate(): void {
    this.#fail();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Continues with bytes that followed key3 in the handshake. */
  feed(rest: Buffer): void {
    if (rest.length > 0) this.#onData(rest);
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    while (!this.#closed && this.#buffer.length > 0) {
      const type = this.#buffer[0];
      if (type === 0xff) {
        // Close frame (0xFF 0x00), or a length-prefixed frame this server never expects: close either way.
        this.close();
        return;
      }
      if (type !== 0x00) {
        this.#fail();
        return;
      }
      const end = this.#buffer.indexOf(0xff, 1);
      if (end === -1) {
        if (this.#buffer.length > this.maxMessageSize + 1) this.#fail();
        return;
      }
      const text = this.#buffer.toString('utf8', 1, end);
      this.#buffer = this.#buffer.subarray(end + 1);
      this.owner?.onSocketMessage(Buffer.from(text));
    }
  }

  #fail(): void {
    this.socket.destroy();
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer = Buffer.alloc(0);
    this.owner?.onSocketClose();
  }
}

/**
 * Draft-76 handshake: the 101 headers go out as soon as the request headers
 * are in, because proxies such as HAProxy only forward key3 after seeing them.
 * Returns false if the keys are malformed (the caller answers 400).
 */
export function acceptHixie76(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  maxMessageSize: number,
  onOpen: (socket: Hixie76Socket) => void,
): boolean {
  const key1 = keyNumber(String(req.headers['sec-websocket-key1']));
  const key2 = keyNumber(String(req.headers['sec-websocket-key2']));
  if (key1 === undefined || key2 === undefined) return false;
  const encrypted = (socket as Duplex & { encrypted?: boolean }).encrypted === true || req.headers['x-forwarded-proto'] === 'https';
  const location = `${encrypted ? 'wss' : 'ws'}://${req.headers.host ?? ''}${req.url ?? ''}`;
  socket.write(
    'HTTP/1.1 101 WebSocket Protocol Handshake\r\n' +
      'Upgrade: WebSocket\r\n' +
      'Connection: Upgrade\r\n' +
      `Sec-WebSocket-Origin: ${req.headers.origin ?? ''}\r\n` +
      `Sec-WebSocket-Location: ${location}\r\n` +
      '\r\n',
  );
  let received = head;
  const onData = (chunk: Buffer) => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    if (received.length < KEY3_LENGTH) return;
    socket.off('data', onData);
    socket.off('close', onGone);
    socket.write(hixie76Digest(key1, key2, received.subarray(0, KEY3_LENGTH)));
    const hixie = new Hixie76Socket(socket, maxMessageSize);
    onOpen(hixie);
    hixie.feed(received.subarray(KEY3_LENGTH));
  };
  const onGone = () => socket.off('data', onData);
  socket.on('close', onGone);
  socket.on('data', onData);
  if (head.length >= KEY3_LENGTH) {
    socket.off('data', onData);
    received = Buffer.alloc(0);
    onData(head);
  }
  return true;
}
