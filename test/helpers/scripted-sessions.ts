// One scripted session per transport against the security harness's echo
// application (`close` makes the server close with 3000 "Go away!"): open,
// send `hello`, read the echo, then `close()` sends `close` and reads the
// close frame. Every frame the client received is checked against what the
// transport must have written, so a test can compare the server's counts
// with bytes that really crossed the socket.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { TransportName } from '@sockjs-server/core';
import { PREFIX, openStream, request, sessionPath, type OpenStream } from './security-harness.ts';
import { openWebSocket } from './ws-client.ts';

/** Frames a scripted SockJS session receives, in order. */
const FRAMES = ['o', 'a["hello"]', 'c[3000,"Go away!"]'] as const;

type HttpTransport = Exclude<TransportName, 'websocket' | 'websocket-raw'>;

/** What each HTTP transport writes for one frame (PROTOCOL.md 5.3–5.8). */
const WRAP: Readonly<Record<HttpTransport, (frame: string) => string>> = {
  'xhr-streaming': (f) => `${f}\n`,
  'xhr-polling': (f) => `${f}\n`,
  eventsource: (f) => `data: ${f}\r\n\r\n`,
  htmlfile: (f) => `<script>\np(${JSON.stringify(f)});\n</script>\r\n`,
  'jsonp-polling': (f) => `/**/cb(${JSON.stringify(f)});\r\n`,
};

export interface ScriptedSession {
  readonly transport: TransportName;
  /** Messages the application received (`hello`, then `close` once closed). */
  readonly messagesIn: number;
  /** Messages the application wrote (the echo). */
  readonly messagesOut: 1;
  /** Payload bytes sent so far. */
  readonly bytesIn: number;
  /** Frame bytes received so far, checked frame by frame. */
  readonly bytesOut: number;
  /** Sends `close` and waits for the close frame. */
  close(): Promise<void>;
}

const utf8 = (s: string) => Buffer.byteLength(s);

interface Tally {
  messagesIn: number;
  bytesIn: number;
  bytesOut: number;
}

/** The live view of a script's tally. */
function scripted(transport: TransportName, tally: Tally, close: () => Promise<void>): ScriptedSession {
  return {
    transport,
    messagesOut: 1,
    get messagesIn() {
      return tally.messagesIn;
    },
    get bytesIn() {
      return tally.bytesIn;
    },
    get bytesOut() {
      return tally.bytesOut;
    },
    close,
  };
}

/** A fresh session path under `prefix`. */
const sessionIn = (prefix: string) => sessionPath().replace(PREFIX, prefix);

export async function openScripted(t: TestContext, port: number, prefix: string, transport: TransportName): Promise<ScriptedSession> {
  if (transport === 'websocket' || transport === 'websocket-raw') return openWebSocketScript(t, port, prefix, transport);
  return openHttpScript(port, prefix, transport);
}

async function openWebSocketScript(t: TestContext, port: number, prefix: string, transport: 'websocket' | 'websocket-raw'): Promise<ScriptedSession> {
  const raw = transport === 'websocket-raw';
  const ws = await openWebSocket(t, `ws://127.0.0.1:${port}${raw ? `${prefix}/websocket` : `${sessionIn(prefix)}/websocket`}`);
  const state = { messagesIn: 0, bytesIn: 0, bytesOut: 0 };
  const sendMessage = (message: string) => {
    const payload = raw ? message : JSON.stringify([message]);
    state.bytesIn += utf8(payload);
    state.messagesIn++;
    ws.send(payload);
  };
  const expect = async (frame: string) => {
    assert.equal(await ws.nextMessage(), frame, transport);
    state.bytesOut += utf8(frame);
  };
  if (!raw) await expect(FRAMES[0]);
  sendMessage('hello');
  await expect(raw ? 'hello' : FRAMES[1]);
  return scripted(transport, state, async () => {
    sendMessage('close');
    if (!raw) await expect(FRAMES[2]);
    await ws.nextClose();
  });
}

async function openHttpScript(port: number, prefix: string, transport: HttpTransport): Promise<ScriptedSession> {
  const session = sessionIn(prefix);
  const wrap = WRAP[transport];
  const state = { messagesIn: 0, bytesIn: 0, bytesOut: 0, received: '' };
  const sendMessage = async (message: string) => {
    const json = JSON.stringify([message]);
    const jsonp = transport === 'jsonp-polling';
    const body = jsonp ? `d=${encodeURIComponent(json)}` : json;
    const res = await request(port, {
      method: 'POST',
      path: `${session}/${jsonp ? 'jsonp_send' : 'xhr_send'}`,
      headers: jsonp ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {},
      body,
    });
    assert.equal(res.status, jsonp ? 200 : 204, `${transport} send`);
    state.bytesIn += utf8(body);
    state.messagesIn++;
  };
  /** Checks that everything received since the first frame is exactly `frames`, wrapped. */
  const check = (received: string, frames: readonly string[]) => {
    const expected = frames.map(wrap).join('');
    const start = received.indexOf(wrap(FRAMES[0]));
    assert.equal(received.slice(start === -1 ? 0 : start), expected, transport);
    state.bytesOut = utf8(expected);
  };
  let stream: OpenStream | undefined;
  const poll = async (frames: readonly string[]) => {
    const method = transport === 'xhr-polling' ? 'POST' : 'GET';
    const path = transport === 'xhr-polling' ? `${session}/xhr` : `${session}/jsonp?c=cb`;
    const res = await request(port, { method, path });
    assert.equal(res.status, 200, `${transport} poll`);
    state.received += res.body;
    check(state.received, frames);
  };
  const streamed = async (frames: readonly string[]) => {
    const last = wrap(frames.at(-1)!);
    await stream!.waitFor(last);
    check(stream!.text(), frames);
  };
  const advance = transport === 'xhr-polling' || transport === 'jsonp-polling' ? poll : streamed;
  if (advance === streamed) {
    const path = { 'xhr-streaming': '/xhr_streaming', eventsource: '/eventsource', htmlfile: '/htmlfile?c=cb' }[transport as 'xhr-streaming' | 'eventsource' | 'htmlfile'];
    stream = await openStream(port, { method: transport === 'xhr-streaming' ? 'POST' : 'GET', path: `${session}${path}` });
  }
  await advance(FRAMES.slice(0, 1));
  await sendMessage('hello');
  await advance(FRAMES.slice(0, 2));
  return scripted(transport, state, async () => {
    await sendMessage('close');
    await advance(FRAMES);
    if (stream) await stream.ended;
  });
}
