// Load generator: one process, one scenario, one server. Speaks the SockJS
// protocol directly (WebSocket through `ws`, HTTP through a minimal keep-alive
// HTTP/1.1 client over `net`, so the generator stays cheaper than any server
// it drives). Prints one JSON line: { ok, metrics } or { ok: false, error }.
//
//   node load/gen.mjs '{"scenario":"ws-echo","port":1234,"framing":"sockjs",...}'
//
// framing "sockjs": `o` / `a[...]` frames; "raw": the limit server (raw ws
// messages without framing; HTTP answers are SockJS-shaped either way).
//
// With `interleaved` set (bench/run.mjs interleaves the servers of a scenario), the
// generator sets up its sessions, prints `READY`, and then runs the load only
// while the runner says so: each `go` line on stdin is one slice (the first a
// warm-up, the rest measured), answered by `DONE` once the load is paused and
// every message in flight has come back, so the next server's slice runs on a
// quiet core; `end` prints the metrics over all measured slices.
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

const cfg = JSON.parse(process.argv[2]);
const RAW = cfg.framing === 'raw';
const PORT = cfg.port;
// Cluster runs (bench/cluster.mjs) name other nodes of the same service: HTTP sessions are opened on
// PORT (their owner) and then polled, streamed and sent to on these, so every request is forwarded;
// broadcasts are sent from SENDER_PORT to sessions on PORT.
const RECV_PORT = cfg.recvPort ?? PORT;
const SEND_PORT = cfg.sendPort ?? PORT;
const SENDER_PORT = cfg.senderPort;
const HOST = '127.0.0.1';
const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let errors = 0;
let firstError = null;
function noteError(err) {
  errors++;
  firstError ??= String(err?.message ?? err);
}

// ---- control channel of the server scripts ---------------------------------

// One keep-alive connection, opened before any load: a server saturated with
// busy connections can be slow to accept new ones.
const controlAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function control(route) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port: PORT, path: `/__bench/${route}`, agent: controlAgent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`control ${route} timed out`)));
  });
}

const cpuMicros = (c) => c.user + c.system;

// ---- helpers ---------------------------------------------------------------

let sidCounter = 0;
const sessionId = () => `b${process.pid}x${++sidCounter}`;

/** Runs `open(i)` for i < n with at most `limit` in flight; resolves to all results. */
async function openMany(n, open, limit = 200) {
  const out = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await open(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return out;
}

/** Latency samples of the measured window (ms), bounded. */
class Recorder {
  constructor(cap = 2_000_000) {
    this.samples = new Float64Array(cap);
    this.n = 0;
  }
  add(ms) {
    if (this.n < this.samples.length) this.samples[this.n++] = ms;
  }
  clear() {
    this.n = 0;
  }
  quantile(q) {
    if (this.n === 0) return null;
    const sorted = this.samples.subarray(0, this.n).sort();
    return sorted[Math.min(this.n - 1, Math.floor(q * this.n))];
  }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? null : s[Math.floor((s.length - 1) / 2)];
}

/** Number of messages in a SockJS `a[...]` frame whose messages hold no comma. */
function countMessages(frame) {
  let n = 1;
  let i = frame.indexOf(0x2c, 2);
  while (i !== -1) {
    n++;
    i = frame.indexOf(0x2c, i + 1);
  }
  return n;
}

/** Interleaved: each measured slice's rate of the scenario's main unit, reported with the metrics. */
const sliceRates = [];

/**
 * The count of a scenario's main unit (messages, deliveries, sessions) in `n`, which the scenario
 * adds to while measuring; `measureWindow` reads it around every slice (`state.units()`) and
 * forgets it after the warm-up (`state.reset()`, which also clears the latency recorder `rec`).
 */
function measuredTally(state, rec) {
  const tally = { n: 0 };
  state.units = () => tally.n;
  state.reset = () => {
    tally.n = 0;
    rec?.clear();
  };
  return tally;
}

/**
 * Drives the load of a scenario and measures it: returns the measured seconds and the server CPU µs
 * spent in them. The scenario supplies `state.resume()` (start issuing load) and `state.pause()`
 * (stop issuing; resolves once nothing is in flight), and may supply `onStart` / `onStop` (the
 * measured window opens / closes) and `beforeSlice` (run from idle before each measured slice), and
 * counts what it measures in a `measuredTally`. `state.measuring` is true while a window is open.
 */
async function measureWindow(state) {
  if (!cfg.interleaved) {
    await state.resume();
    await warmUp(state);
    const window = await measuredSpan(state, cfg.durationMs);
    await state.pause();
    return window;
  }
  process.stdout.write('READY\n');
  let seconds = 0;
  let cpuUs = 0;
  for (let slice = 0; (await command()) === 'go'; slice++) {
    if (slice > 0) await state.beforeSlice?.();
    await state.resume();
    if (slice === 0) await warmUp(state);
    else {
      await sleep(cfg.sliceWarmupMs);
      const units = state.units();
      const window = await measuredSpan(state, cfg.sliceMs);
      sliceRates.push((state.units() - units) / window.seconds);
      seconds += window.seconds;
      cpuUs += window.cpuUs;
    }
    await state.pause();
    process.stdout.write('DONE\n');
  }
  return { seconds, cpuUs };
}

/**
 * The warm-up is measured too, and then forgotten (`state.reset()`): a first pass through the
 * measuring code (the counters, the latency recorder, the server's CPU reading) ran the first
 * measured slice of every server at 55–90 % of the later ones, deeper for the servers with more
 * code to warm.
 */
async function warmUp(state) {
  await measuredSpan(state, cfg.warmupMs);
  state.reset();
}

async function measuredSpan(state, ms) {
  const cpu0 = await control('cpu');
  state.measuring = true;
  state.onStart?.();
  const t0 = now();
  await sleep(ms);
  state.measuring = false;
  const seconds = (now() - t0) / 1000;
  state.onStop?.();
  const cpu1 = await control('cpu');
  return { seconds, cpuUs: cpuMicros(cpu1) - cpuMicros(cpu0) };
}

/** The runner's next line on stdin (`go` or `end`). */
const commands = [];
let commandWaiter = null;
let stdinText = '';
if (cfg.interleaved) {
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (s) => {
    stdinText += s;
    let i;
    while ((i = stdinText.indexOf('\n')) !== -1) {
      commands.push(stdinText.slice(0, i).trim());
      stdinText = stdinText.slice(i + 1);
    }
    if (commandWaiter && commands.length) commandWaiter(commands.shift());
  });
  process.stdin.on('end', () => commandWaiter?.('end'));
}
function command() {
  if (commands.length) return Promise.resolve(commands.shift());
  return new Promise((resolve) => (commandWaiter = (c) => {
    commandWaiter = null;
    resolve(c);
  }));
}

/**
 * Counts what is in flight and resolves `drained()` once it is back to zero (or, when something
 * was lost, after 15 s with an error noted, so that a lost message cannot hang the run).
 */
class InFlight {
  constructor() {
    this.n = 0;
    this.waiter = null;
  }
  add(k = 1) {
    this.n += k;
  }
  done(k = 1) {
    this.n -= k;
    if (this.n <= 0 && this.waiter) this.waiter();
  }
  drained() {
    if (this.n <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        noteError(new Error(`${this.n} still in flight 15 s after the load paused`));
        this.waiter = null;
        resolve();
      }, 15_000);
      this.waiter = () => {
        clearTimeout(timer);
        this.waiter = null;
        resolve();
      };
    });
  }
}

// ---- WebSocket -------------------------------------------------------------

const zeroMask = (mask) => mask.fill(0); // ws then skips masking: cheaper generator

function openWs(prefix, port = PORT) {
  const url = `ws://${HOST}:${port}${prefix}/000/${sessionId()}/websocket`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      generateMask: zeroMask,
      maxPayload: 64 << 20,
      handshakeTimeout: 30_000,
    });
    const fail = (err) => {
      ws.terminate();
      reject(err);
    };
    ws.once('error', fail);
    const ready = () => {
      ws.off('error', fail);
      ws.on('error', noteError);
      resolve(ws);
    };
    if (RAW) ws.once('open', ready);
    else
      ws.once('message', (data) => {
        if (data[0] === 0x6f) ready();
        else fail(new Error(`expected "o", got ${String(data).slice(0, 40)}`));
      });
  });
}

function closeWs(ws) {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    const timer = setTimeout(() => {
      noteError(new Error('close timed out'));
      ws.terminate();
      resolve();
    }, 10_000);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1000);
  });
}

const sockjsMessage = (payload) => Buffer.from(RAW ? payload : JSON.stringify([payload]));

/**
 * Writes a counter over the first characters of the payload in `message`
 * (built by sockjsMessage from ASCII), so every WebSocket message differs from
 * the one before and no server can answer from a cache of the previous frame.
 * `ws` masks a client's message into a copy as it sends, so the buffer can be
 * stamped again at once.
 */
let stampCount = 0;
function stamp(message) {
  const start = RAW ? 0 : 2;
  const width = Math.min(8, message.length - start - (RAW ? 0 : 2));
  message.write(String(stampCount++ % 10 ** width).padStart(width, '0'), start, 'latin1');
}

async function wsEcho() {
  const out = sockjsMessage('x'.repeat(cfg.size));
  const sockets = await openMany(cfg.sessions, () => openWs('/echo'));
  const state = { measuring: false };
  const rec = new Recorder();
  const inFlight = new InFlight();
  const tally = measuredTally(state, rec);
  let active = false;
  const senders = sockets.map((ws) => {
    let sentAt = 0;
    const send = () => {
      inFlight.add();
      sentAt = now();
      stamp(out);
      ws.send(out, { binary: false });
    };
    ws.on('message', (data) => {
      if (!RAW && data[0] !== 0x61) {
        if (data[0] === 0x63) noteError(new Error(`closed: ${data}`));
        return;
      }
      if (state.measuring) {
        tally.n++;
        rec.add(now() - sentAt);
      }
      if (active) send();
      inFlight.done();
    });
    ws.on('close', () => noteError(new Error('websocket closed during the run')));
    return send;
  });
  state.resume = () => {
    active = true;
    for (const send of senders) send();
  };
  state.pause = () => {
    active = false;
    return inFlight.drained();
  };
  const { seconds, cpuUs } = await measureWindow(state);
  for (const ws of sockets) ws.removeAllListeners('close');
  const metrics = {
    msgsPerSec: tally.n / seconds,
    p50Ms: rec.quantile(0.5),
    p99Ms: rec.quantile(0.99),
    cpuUsPerMsg: tally.n ? cpuUs / tally.n : null,
  };
  if (cfg.size >= 1024) metrics.mbPerSec = (tally.n * cfg.size) / seconds / 1e6;
  return metrics;
}

async function broadcast() {
  const n = cfg.sessions;
  const out = sockjsMessage('m'.repeat(cfg.size));
  const sockets = await openMany(n, () => openWs('/broadcast'));
  // The sender is one of the n, or (a cluster run) a session of its own on another node, not counted.
  const sender = SENDER_PORT === undefined ? sockets[0] : await openWs('/broadcast', SENDER_PORT);
  const state = { measuring: false };
  let delivered = 0;
  let waiter = null; // { target, resolve }
  let steady = false;
  let sent = 0;
  const inFlight = new InFlight(); // deliveries due
  const window = cfg.window * n;
  const pump = () => {
    while (steady && sent * n - delivered < window) {
      sent++;
      inFlight.add(n);
      stamp(out);
      sender.send(out, { binary: false });
    }
  };
  for (const ws of sockets) {
    ws.on('message', (data) => {
      const k = RAW ? 1 : data[0] === 0x61 ? countMessages(data) : 0;
      if (k === 0) return;
      delivered += k;
      inFlight.done(k);
      if (waiter !== null && delivered >= waiter.target) {
        const w = waiter;
        waiter = null;
        w.resolve();
      }
      if (steady) pump();
    });
  }
  // One message to everyone, from idle: several times before the steady stream, or (interleaved)
  // once before each measured slice.
  const times = [];
  const oneShot = async () => {
    await sleep(100);
    const t0 = now();
    const target = delivered + n;
    const done = new Promise((resolve) => (waiter = { target, resolve }));
    inFlight.add(n);
    stamp(out);
    sender.send(out, { binary: false });
    const timeout = sleep(30_000).then(() => 'timeout');
    if ((await Promise.race([done, timeout])) === 'timeout') throw new Error(`broadcast reached ${delivered - target + n} of ${n}`);
    times.push(now() - t0);
  };
  if (cfg.interleaved) state.beforeSlice = () => (times.length < cfg.oneShots ? oneShot() : undefined);
  else for (let k = 0; k < cfg.oneShots; k++) await oneShot();
  // Steady stream: keep `window` messages in flight.
  let d0 = 0;
  const tally = measuredTally(state);
  state.onStart = () => (d0 = delivered);
  state.onStop = () => (tally.n += delivered - d0);
  state.resume = async () => {
    await sleep(100);
    sent = Math.ceil(delivered / n);
    delivered = sent * n;
    steady = true;
    pump();
  };
  state.pause = () => {
    steady = false;
    return inFlight.drained();
  };
  const { seconds, cpuUs } = await measureWindow(state);
  return {
    oneMsgMs: median(times),
    deliveriesPerSec: tally.n / seconds,
    cpuUsPerDelivery: tally.n ? cpuUs / tally.n : null,
  };
}

async function newSessions() {
  const state = { measuring: false };
  const tally = measuredTally(state);
  let active = false;
  let loops = [];
  const loop = async () => {
    while (active) {
      let ws;
      try {
        ws = await openWs('/echo');
      } catch (err) {
        noteError(err);
        await sleep(10);
        continue;
      }
      await closeWs(ws);
      if (state.measuring) tally.n++;
    }
  };
  state.resume = () => {
    active = true;
    loops = Array.from({ length: cfg.concurrency }, loop);
  };
  state.pause = () => {
    active = false;
    return Promise.all(loops);
  };
  const { seconds, cpuUs } = await measureWindow(state);
  return { sessionsPerSec: tally.n / seconds, cpuUsPerSession: tally.n ? cpuUs / tally.n : null };
}

// ---- HTTP: minimal keep-alive HTTP/1.1 client ------------------------------

const HEAD = 0;
const CHUNK_SIZE = 1;
const CHUNK_DATA = 2;
const CHUNK_CRLF = 3;
const TRAILER = 4;
const BODY_LENGTH = 5;
const BODY_EOF = 6;
const IDLE = 7;

/** One keep-alive connection; one request at a time. Handler: { onBody(str), onEnd(status) }. */
class HttpConn {
  constructor(port = PORT) {
    this.port = port;
    this.sock = null;
    this.buf = '';
    this.state = IDLE;
    this.remaining = 0;
    this.status = 0;
    this.handler = null;
    this.closeAfter = false;
  }

  connect() {
    const sock = net.connect(this.port, HOST);
    sock.setNoDelay(true);
    sock.setEncoding('latin1');
    sock.on('data', (s) => this.feed(s));
    sock.on('error', () => {});
    sock.on('close', () => {
      if (this.sock !== sock) return;
      this.sock = null;
      if (this.state === BODY_EOF) this.finish();
      else if (this.handler !== null) {
        const h = this.handler;
        this.handler = null;
        this.state = IDLE;
        h.onError?.(new Error('connection closed mid-response'));
      }
    });
    this.sock = sock;
    this.buf = '';
  }

  request(text, handler) {
    if (this.sock === null || this.closeAfter) {
      if (this.sock !== null) this.sock.destroy();
      this.sock = null;
      this.closeAfter = false;
      this.connect();
    }
    this.handler = handler;
    this.state = HEAD;
    this.sock.write(text, 'latin1');
  }

  destroy() {
    const sock = this.sock;
    this.sock = null;
    this.handler = null;
    sock?.destroy();
  }

  body(s) {
    if (s.length > 0) this.handler.onBody?.(s);
  }

  finish() {
    const h = this.handler;
    this.handler = null;
    this.state = IDLE;
    h?.onEnd?.(this.status);
  }

  feed(s) {
    this.buf = this.buf.length === 0 ? s : this.buf + s;
    for (;;) {
      const buf = this.buf;
      switch (this.state) {
        case HEAD: {
          const i = buf.indexOf('\r\n\r\n');
          if (i === -1) return;
          const head = buf.slice(0, i).toLowerCase();
          this.buf = buf.slice(i + 4);
          this.status = Number(head.slice(9, 12));
          this.closeAfter = head.includes('connection: close');
          const length = /content-length: *(\d+)/.exec(head);
          if (this.status === 204 || this.status === 304 || (length && length[1] === '0')) this.finish();
          else if (head.includes('transfer-encoding: chunked')) this.state = CHUNK_SIZE;
          else if (length) {
            this.state = BODY_LENGTH;
            this.remaining = Number(length[1]);
          } else this.state = BODY_EOF;
          break;
        }
        case CHUNK_SIZE: {
          const i = buf.indexOf('\r\n');
          if (i === -1) return;
          this.remaining = parseInt(buf.slice(0, i), 16);
          this.buf = buf.slice(i + 2);
          this.state = this.remaining === 0 ? TRAILER : CHUNK_DATA;
          break;
        }
        case CHUNK_DATA:
        case BODY_LENGTH: {
          const take = Math.min(buf.length, this.remaining);
          if (take === 0) return;
          this.body(take === buf.length ? buf : buf.slice(0, take));
          this.buf = take === buf.length ? '' : buf.slice(take);
          this.remaining -= take;
          if (this.remaining > 0) return;
          if (this.state === BODY_LENGTH) this.finish();
          else this.state = CHUNK_CRLF;
          break;
        }
        case CHUNK_CRLF:
          if (buf.length < 2) return;
          this.buf = buf.slice(2);
          this.state = CHUNK_SIZE;
          break;
        case TRAILER: {
          const i = buf.indexOf('\r\n');
          if (i === -1) return;
          this.buf = buf.slice(i + 2);
          if (i === 0) this.finish();
          break;
        }
        case BODY_EOF:
          this.body(buf);
          this.buf = '';
          return;
        default: // IDLE: unexpected bytes
          this.buf = '';
          return;
      }
    }
  }
}

const post = (path, body = '') =>
  `POST ${path} HTTP/1.1\r\nHost: ${HOST}:${PORT}\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/** An HTTP SockJS session: a receiving connection (xhr_streaming or xhr
 * polling, re-issued when a response ends) and a sending connection. */
class XhrSession {
  constructor(transport, onMessages) {
    const base = `/echo/000/${sessionId()}`;
    this.recvText = post(`${base}/${transport}`);
    this.openText = post(`${base}/xhr`);
    this.polling = transport === 'xhr';
    this.recv = new HttpConn(RECV_PORT);
    this.send = new HttpConn(SEND_PORT);
    this.onMessages = onMessages;
    this.pending = '';
    this.running = true;
    this.opened = null;
    this.recvHandler = {
      onBody: (s) => this.lines(s),
      onEnd: (status) => {
        if (status !== 200) noteError(new Error(`receiver status ${status}`));
        else if (this.running) this.recv.request(this.recvText, this.recvHandler);
      },
      onError: (err) => {
        if (this.running) noteError(err);
      },
    };
  }

  open() {
    return new Promise((resolve, reject) => {
      this.opened = { resolve, reject };
      if (RECV_PORT === PORT) return this.recv.request(this.recvText, this.recvHandler);
      // Opened by a poll on its owner, so that every request after it lands on another node.
      const opener = new HttpConn(PORT);
      opener.request(this.openText, {
        onBody: (s) => this.lines(s),
        onEnd: () => {
          opener.destroy();
          if (this.running) this.recv.request(this.recvText, this.recvHandler);
        },
        onError: reject,
      });
    });
  }

  lines(s) {
    this.pending = this.pending.length === 0 ? s : this.pending + s;
    let i;
    while ((i = this.pending.indexOf('\n')) !== -1) {
      const line = this.pending.slice(0, i);
      this.pending = this.pending.slice(i + 1);
      const type = line.charCodeAt(0);
      if (type === 0x61 /* a */) {
        let n = 1;
        for (let j = line.indexOf(',', 2); j !== -1; j = line.indexOf(',', j + 1)) n++;
        this.onMessages(n);
      } else if (type === 0x6f /* o */) {
        const o = this.opened;
        this.opened = null;
        o?.resolve(this);
      } else if (type === 0x63 /* c */) {
        const err = new Error(`session closed: ${line}`);
        if (this.opened) this.opened.reject(err);
        else noteError(err);
      }
    }
  }

  close() {
    this.running = false;
    this.recv.destroy();
    this.send.destroy();
  }
}

async function xhrEcho() {
  const transport = cfg.transport; // 'xhr_streaming' | 'xhr'
  const body = JSON.stringify(['x'.repeat(cfg.size)]);
  const state = { measuring: false };
  const rec = new Recorder();
  const inFlight = new InFlight();
  const tally = measuredTally(state, rec);
  let active = false;
  let running = true;
  const sessions = await openMany(cfg.sessions, async () => {
    let sentAt = 0;
    let echoed = true;
    let acked = true;
    let session;
    let warmed = null;
    const send = () => {
      echoed = acked = false;
      sentAt = now();
      session.send.request(sendText, sendHandler);
    };
    // A round trip is over once the echo has arrived and the xhr_send is answered, in either order.
    const next = () => {
      if (!echoed || !acked) return;
      if (warmed !== null) {
        const done = warmed;
        warmed = null;
        done();
        return;
      }
      if (active) send();
      else inFlight.done();
    };
    const sendHandler = {
      onEnd: (status) => {
        if (status !== 204) noteError(new Error(`xhr_send status ${status}`));
        acked = true;
        next();
      },
      onError: (err) => running && noteError(err),
    };
    session = new XhrSession(transport, (n) => {
      if (state.measuring) {
        tally.n += n;
        rec.add(now() - sentAt);
      }
      echoed = true;
      next();
    });
    const sendText = post(session.recvText.split(' ')[1].replace(/[^/]+$/, 'xhr_send'), body);
    await session.open();
    // One round trip before the load starts, so both connections are accepted and warm.
    await new Promise((resolve) => {
      warmed = resolve;
      send();
    });
    session.start = () => {
      inFlight.add();
      send();
    };
    return session;
  });
  state.resume = () => {
    active = true;
    for (const s of sessions) s.start();
  };
  state.pause = () => {
    active = false;
    return inFlight.drained();
  };
  const { seconds, cpuUs } = await measureWindow(state);
  running = false;
  for (const s of sessions) s.close();
  return {
    msgsPerSec: tally.n / seconds,
    p50Ms: rec.quantile(0.5),
    p99Ms: rec.quantile(0.99),
    cpuUsPerMsg: tally.n ? cpuUs / tally.n : null,
  };
}

// ---- memory per idle session ----------------------------------------------

async function memory() {
  const open = cfg.transport === 'websocket' ? () => openWs('/echo') : () => new XhrSession('xhr_streaming', () => {}).open();
  // Warm the server's code paths, then take the baseline.
  const warm = await openMany(20, open);
  for (const s of warm) {
    if (s instanceof XhrSession) s.close();
    else s.terminate();
  }
  await sleep(300);
  const base = await control('mem');
  if (cfg.heapSnapshots) await control('heap/before');
  const t0 = now();
  const sessions = await openMany(cfg.sessions, open);
  const openSeconds = (now() - t0) / 1000;
  await sleep(cfg.settleMs);
  const after = await control('mem');
  if (cfg.heapSnapshots) await control('heap/after');
  const n = sessions.length;
  return {
    heapPerSession: (after.heapUsed - base.heapUsed) / n,
    rssPerSession: (after.rss - base.rss) / n,
    externalPerSession: (after.external + after.arrayBuffers - base.external - base.arrayBuffers) / n,
    openPerSec: n / openSeconds,
    gc: after.gc,
  };
}

// ---- main ------------------------------------------------------------------

const scenarios = { 'ws-echo': wsEcho, broadcast, 'new-sessions': newSessions, xhr: xhrEcho, memory };

const deadline = setTimeout(() => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: 'generator deadline reached' })}\n`);
  process.exit(1);
}, cfg.deadlineMs ?? 120_000);

try {
  await control('cpu');
  const metrics = await scenarios[cfg.scenario]();
  clearTimeout(deadline);
  if (sliceRates.length > 0) metrics.sliceRates = sliceRates;
  process.stdout.write(`${JSON.stringify({ ok: true, metrics, errors, firstError })}\n`);
  process.exit(0);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: String(err?.stack ?? err), errors, firstError })}\n`);
  process.exit(1);
}
