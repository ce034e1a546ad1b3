// Raw WebSocket plumbing for test/security: a manual RFC 6455 handshake on a
// node:net socket, a client frame builder that can produce malformed frames
// (bad opcodes, RSV bits, unmasked, fragments), and a parser for what the
// server sends back. `ws` itself would refuse to emit most of these frames.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { parseHead, type ParsedHead } from './security-harness.ts';

export const OPCODE = { CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

export interface FrameSpec {
  readonly opcode: number;
  readonly payload?: Buffer | string;
  readonly fin?: boolean;
  /** Clients must mask; `false` produces a protocol violation on purpose. */
  readonly mask?: boolean;
  /** RSV1-3 bits (0-7); non-zero is a protocol violation without extensions. */
  readonly rsv?: number;
}

export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload, 'utf8') : (spec.payload ?? Buffer.alloc(0));
  const masked = spec.mask ?? true;
  const len = payload.length;
  const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + lenBytes + (masked ? 4 : 0));
  head[0] = ((spec.fin ?? true) ? 0x80 : 0) | (((spec.rsv ?? 0) & 7) << 4) | (spec.opcode & 0x0f);
  head[1] = (masked ? 0x80 : 0) | (len < 126 ? len : len < 65536 ? 126 : 127);
  if (lenBytes === 2) head.writeUInt16BE(len, 2);
  if (lenBytes === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!masked) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  key.copy(head, 2 + lenBytes);
  const body = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ key[i & 3]!;
  return Buffer.concat([head, body]);
}

export interface ServerFrame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

/** Parses complete unmasked server frames; returns them and the unparsed rest. */
export function parseFrames(data: Buffer): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let offset = 0;
  for (;;) {
    if (data.length - offset < 2) break;
    const b0 = data[offset]!;
    const b1 = data[offset + 1]!;
    let len = b1 & 0x7f;
    let pos = offset + 2;
    if (len === 126) {
      if (data.length < pos + 2) break;
      len = data.readUInt16BE(pos);
      pos += 2;
    } else if (len === 127) {
      if (data.length < pos + 8) break;
      len = Number(data.readBigUInt64BE(pos));
      pos += 8;
    }
    if (b1 & 0x80) pos += 4; // servers never mask, but skip a key if one is there
    if (data.length < pos + len) break;
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload: data.subarray(pos, pos + len) });
    offset = pos + len;
  }
  return { frames, rest: data.subarray(offset) };
}

/** The close code of a close frame payload (1005 when it carries none). */
export function closeCode(frame: ServerFrame): number {
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
}

export interface RawWebSocket {
  readonly socket: net.Socket;
  readonly head: ParsedHead;
  /** Every byte received after the handshake head. */
  received(): Buffer;
  /**
   * Resolves true once the server closed: a close frame arrived (answered like
   * a well-behaved client, then the socket is dropped) or TCP was closed;
   * false if neither happened within `timeoutMs`.
   */
  closed(timeoutMs?: number): Promise<boolean>;
  /** Frames parsed from everything received so far. */
  frames(): ServerFrame[];
  send(frame: FrameSpec | Buffer): void;
  destroy(): void;
}

/** Upgrade request headers for `path`; extra headers are appended verbatim. */
export function upgradeRequest(path: string, extra: ReadonlyArray<readonly [string, string]> = []): string {
  const key = randomBytes(16).toString('base64');
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
    extra.map(([n, v]) => `${n}: ${v}\r\n`).join('') +
    '\r\n'
  );
}

export function acceptFor(key: string): string {
  return createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
}

/**
 * Opens a TCP connection, writes `requestText` (an upgrade request) and waits
 * for the response head. Rejects if none arrives within `timeoutMs`.
 */
export function rawUpgrade(port: number, requestText: string, timeoutMs = 3000): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    let buffered = Buffer.alloc(0);
    let head: ParsedHead | undefined;
    let isClosed = false;
    const closeWaiters: Array<() => void> = [];
    const onClosed = () => {
      isClosed = true;
      for (const w of closeWaiters.splice(0)) w();
      if (!head) {
        clearTimeout(timer);
        reject(new Error(`connection closed before a response head; got ${JSON.stringify(buffered.toString('latin1').slice(0, 200))}`));
      }
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no response head within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => {
      buffered = Buffer.concat([buffered, d]);
      if (head) return;
      const parsed = parseHead(buffered);
      if (!parsed) return;
      head = parsed;
      buffered = Buffer.from(parsed.body);
      clearTimeout(timer);
      resolve({
        socket,
        head: parsed,
        received: () => buffered,
        frames: () => parseFrames(buffered).frames,
        closed: async (waitMs = 3000) => {
          const deadline = Date.now() + waitMs;
          while (!isClosed && Date.now() < deadline) {
            if (parseFrames(buffered).frames.some((f) => f.opcode === 0x8)) {
              socket.end(encodeFrame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe8]) }));
              return true;
            }
            await new Promise<void>((r) => {
              const t = setTimeout(r, 20);
              closeWaiters.push(() => {
                clearTimeout(t);
                r();
              });
            });
          }
          return isClosed || parseFrames(buffered).frames.some((f) => f.opcode === 0x8);
        },
        send: (frame) => {
          if (!socket.destroyed) socket.write(Buffer.isBuffer(frame) ? frame : encodeFrame(frame));
        },
        destroy: () => socket.destroy(),
      });
    });
    socket.on('end', onClosed);
    socket.on('close', onClosed);
    socket.on('error', () => {});
    socket.write(requestText);
  });
}
