// The hixie-76 (draft-76) WebSocket handshake done by hand on a raw socket,
// as Websocket.test_haproxy needs: the 101 head must arrive before the
// client sends its 8-byte key3 (HAProxy forwards key3 only after the head).
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import { connect, type RawHttpConnection, type RawResponse } from './raw-http.ts';

/** The test vector of PROTOCOL.md section 5.1. */
export const HIXIE_KEY1 = '4 @1  46546xW%0l 1 5';
export const HIXIE_KEY2 = '12998 5 Y3 1  .P00';
export const HIXIE_KEY3 = 'aaaaaaaa';
export const HIXIE_DIGEST = Buffer.from([0xca, 0x34, 0x00, 0xd8, 0xa5, 0x08, 0x47, 0x97, 0x2c, 0xd5, 0x71, 0x5a, 0xba, 0xbf, 0x43, 0x7b]);

/** Independent computation of the draft-76 answer, to cross-check the fixed test vector. */
export function hixieDigest(key1: string, key2: string, key3: Buffer): Buffer {
  const part = (key: string): Buffer => {
    const digits = Number(key.replace(/[^0-9]/g, ''));
    const spaces = key.split(' ').length - 1;
    const out = Buffer.alloc(4);
    out.writeUInt32BE(digits / spaces);
    return out;
  };
  return createHash('md5').update(Buffer.concat([part(key1), part(key2), key3])).digest();
}

export interface HixieHandshake {
  readonly conn: RawHttpConnection;
  /** The 101 head, read before key3 was sent. */
  readonly head: RawResponse;
}

/** Sends the request head (no key3 yet) and waits for the response head. */
export async function hixieRequestHead(t: TestContext, port: number, path: string, origin: string): Promise<HixieHandshake> {
  const conn = await connect(t, port);
  const head = await conn.request({
    method: 'GET',
    path,
    headers: [
      ['Host', `127.0.0.1:${port}`],
      ['Connection', 'Upgrade'],
      ['Upgrade', 'WebSocket'],
      ['Origin', origin],
      ['Sec-WebSocket-Key1', HIXIE_KEY1],
      ['Sec-WebSocket-Key2', HIXIE_KEY2],
    ],
  });
  return { conn, head };
}

/** Encodes one hixie text frame. */
export function hixieTextFrame(text: string): Buffer {
  return Buffer.concat([Buffer.from([0x00]), Buffer.from(text, 'utf8'), Buffer.from([0xff])]);
}
