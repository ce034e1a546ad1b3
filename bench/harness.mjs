// Scenarios, process management and statistics shared by run.mjs and profile.mjs.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
export const KINDS = ['ours', 'sockjs', 'limit'];
export const KIND_LABEL = { ours: 'ours', sockjs: 'sockjs 0.3.24', limit: 'limit', baseline: 'baseline' };

// ---- environment ----------------------------------------------------------

export const HAVE_TASKSET = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export const FD_LIMIT = (() => {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
})();

/** Sessions that fit in the file-descriptor limit (one fd per session per process, plus headroom). */
export function fitSessions(wanted, notes) {
  const max = Math.floor((FD_LIMIT - 400) / 1000) * 1000;
  if (wanted <= max) return wanted;
  const n = Math.max(100, max);
  notes.add(`ulimit -n is ${FD_LIMIT}: ${wanted} sessions lowered to ${n}`);
  return n;
}

// ---- scenarios --------------------------------------------------------------

// Metric: [label, unit formatter, higher-is-better]
export const METRICS = {
  msgsPerSec: { label: 'msgs/s', fmt: (v) => fmtInt(v), higher: true },
  mbPerSec: { label: 'MB/s', fmt: (v) => v.toFixed(1), higher: true },
  p50Ms: { label: 'p50 ms', fmt: (v) => fmtMs(v), higher: false },
  p99Ms: { label: 'p99 ms', fmt: (v) => fmtMs(v), higher: false },
  cpuUsPerMsg: { label: 'server CPU µs/msg', fmt: (v) => v.toFixed(1), higher: false },
  oneMsgMs: { label: 'one msg to all, ms', fmt: (v) => fmtMs(v), higher: false },
  deliveriesPerSec: { label: 'deliveries/s', fmt: (v) => fmtInt(v), higher: true },
  cpuUsPerDelivery: { label: 'server CPU µs/delivery', fmt: (v) => v.toFixed(2), higher: false },
  heapPerSession: { label: 'heap KB/session', fmt: (v) => (v / 1000).toFixed(2), higher: false },
  rssPerSession: { label: 'RSS KB/session', fmt: (v) => (v / 1000).toFixed(2), higher: false },
  sessionsPerSec: { label: 'sessions/s', fmt: (v) => fmtInt(v), higher: true },
  cpuUsPerSession: { label: 'server CPU µs/session', fmt: (v) => v.toFixed(0), higher: false },
};

function fmtInt(v) {
  return Math.round(v).toLocaleString('en-US');
}
function fmtMs(v) {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function scenarios({ quick }) {
  const notes = new Set();
  // Interleaved runs (run.mjs) split durationMs into slices of sliceMs, each after sliceWarmupMs of
  // load from idle; single runs (ab, profile, cluster) measure durationMs in one window.
  const t = quick ? { warmupMs: 300, durationMs: 1000, sliceMs: 333, sliceWarmupMs: 100 } : { warmupMs: 750, durationMs: 2500, sliceMs: 500, sliceWarmupMs: 200 };
  const echo = ['msgsPerSec', 'p50Ms', 'p99Ms', 'cpuUsPerMsg'];
  const list = [];
  for (const n of [1, 100, 1000]) {
    list.push({ id: `ws-echo-${n}`, title: `WebSocket echo, 32 B, ${n} session${n > 1 ? 's' : ''}`, gen: { scenario: 'ws-echo', sessions: n, size: 32, ...t }, metrics: echo, primary: 'msgsPerSec' });
  }
  list.push({ id: 'ws-echo-16k', title: 'WebSocket echo, 16 KiB, 10 sessions', gen: { scenario: 'ws-echo', sessions: 10, size: 16384, ...t }, metrics: ['mbPerSec', ...echo], primary: 'mbPerSec' });
  for (const [transport, name] of [['xhr_streaming', 'xhr-streaming'], ['xhr', 'xhr-polling']]) {
    for (const n of [1, 100, 1000]) {
      list.push({ id: `${transport === 'xhr' ? 'xhrp' : 'xhrs'}-${n}`, title: `${name} echo (+ xhr_send), 32 B, ${n} session${n > 1 ? 's' : ''}`, gen: { scenario: 'xhr', transport, sessions: n, size: 32, ...t }, metrics: echo, primary: 'msgsPerSec' });
    }
  }
  for (const wanted of [1000, 10000]) {
    const n = fitSessions(wanted, notes);
    list.push({ id: `bcast-${wanted}`, title: `Broadcast to ${n} WebSocket sessions`, gen: { scenario: 'broadcast', sessions: n, size: 32, window: 4, oneShots: quick ? 3 : 5, ...t }, metrics: ['oneMsgMs', 'deliveriesPerSec', 'cpuUsPerDelivery'], primary: 'deliveriesPerSec' });
  }
  for (const [transport, wanted] of [['websocket', 1000], ['websocket', 10000], ['xhr_streaming', 10000]]) {
    const n = fitSessions(wanted, notes);
    const name = transport === 'websocket' ? 'WebSocket' : 'xhr-streaming';
    list.push({ id: `mem-${transport === 'websocket' ? 'ws' : 'xhrs'}-${wanted}`, title: `Memory, ${n} idle ${name} sessions`, gen: { scenario: 'memory', transport, sessions: n, settleMs: quick ? 500 : 1000 }, metrics: ['heapPerSession', 'rssPerSession'], primary: 'heapPerSession' });
  }
  // Each session runs a server's whole accept path once, and a fresh server process keeps
  // compiling it for its first ~5000 sessions (server CPU µs per session in batches of 1000: ours
  // 565 533 288 227 171, then 145–195; raw ws 461 415 216 224 166, then 131–211). At ~3000
  // sessions/s the 750 ms warm-up of the other scenarios ended inside that curve, so the ratio
  // measured V8's tiering of the larger code; 3 s (about 9000 sessions) measures the steady state
  // of a server that has been running.
  const sessionWarmup = quick ? 1500 : 3000;
  list.push({ id: 'new-sessions', title: 'New WebSocket sessions (open, o, close), 32 in flight', gen: { scenario: 'new-sessions', concurrency: 32, ...t, warmupMs: sessionWarmup }, metrics: ['sessionsPerSec', 'cpuUsPerSession'], primary: 'sessionsPerSec' });
  return { list, notes: [...notes] };
}

/** Targets of the issue. `of`: ours ÷ limit ('limit'), ours ÷ sockjs ('sockjs') or ours alone ('abs'). */
export const TARGETS = [
  { scenario: 'ws-echo-100', metric: 'msgsPerSec', of: 'limit', op: '>=', value: 0.95, text: 'WebSocket echo 32 B, 100 sessions ≥ 0.95 × raw ws' },
  { scenario: 'ws-echo-1000', metric: 'msgsPerSec', of: 'limit', op: '>=', value: 0.95, text: 'WebSocket echo 32 B, 1000 sessions ≥ 0.95 × raw ws' },
  { scenario: 'ws-echo-16k', metric: 'mbPerSec', of: 'limit', op: '>=', value: 0.5, text: 'WebSocket echo 16 KiB ≥ 0.5 × raw ws' },
  { scenario: 'ws-echo-16k', metric: 'mbPerSec', of: 'sockjs', op: '>=', value: 7, text: 'WebSocket echo 16 KiB ≥ 7 × sockjs 0.3.24' },
  { scenario: 'xhrs-100', metric: 'msgsPerSec', of: 'limit', op: '>=', value: 0.8, text: 'xhr-streaming, 100 sessions ≥ 0.8 × bare http' },
  { scenario: 'xhrs-1000', metric: 'msgsPerSec', of: 'limit', op: '>=', value: 0.8, text: 'xhr-streaming, 1000 sessions ≥ 0.8 × bare http' },
  { scenario: 'xhrp-100', metric: 'msgsPerSec', of: 'limit', op: '>=', value: 0.8, text: 'xhr-polling, 100 sessions ≥ 0.8 × bare http' },
  { scenario: 'xhrp-1000', metric: 'msgsPerSec', of: 'limit', op: '>=', value: 0.8, text: 'xhr-polling, 1000 sessions ≥ 0.8 × bare http' },
  { scenario: 'bcast-1000', metric: 'deliveriesPerSec', of: 'limit', op: '>=', value: 0.9, text: 'Broadcast deliveries/s, 1000 sessions ≥ 0.9 × raw ws' },
  { scenario: 'bcast-10000', metric: 'deliveriesPerSec', of: 'limit', op: '>=', value: 0.9, text: 'Broadcast deliveries/s, 10000 sessions ≥ 0.9 × raw ws' },
  { scenario: 'bcast-10000', metric: 'oneMsgMs', of: 'limit', op: '<=', value: 1.1, text: 'One message to 10000 sessions ≤ 1.1 × raw ws time' },
  { scenario: 'mem-ws-1000', metric: 'heapPerSession', of: 'abs', op: '<=', value: 4000, text: 'Idle WebSocket session (1000) ≤ 4 KB heap' },
  { scenario: 'mem-ws-10000', metric: 'heapPerSession', of: 'abs', op: '<=', value: 3000, text: 'Idle WebSocket session (10000) ≤ 3 KB heap' },
  { scenario: 'mem-xhrs-10000', metric: 'heapPerSession', of: 'limit', op: '<=', value: 1.1, text: 'Idle xhr-streaming session heap ≤ 1.1 × bare http' },
  { scenario: 'new-sessions', metric: 'sessionsPerSec', of: 'limit', op: '>=', value: 0.95, text: 'New sessions per second ≥ 0.95 × raw ws' },
];

// ---- processes ----------------------------------------------------------------

function pinned(core, args) {
  return HAVE_TASKSET ? ['taskset', ['-c', String(core), ...args]] : [args[0], args.slice(1)];
}

const live = new Set();
function killAll() {
  for (const child of live) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

function waitExit(child, ms) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts a server script (pinned to core 0) and resolves to { child, port }. */
export function startServer(kind, nodeArgs = [], env = {}) {
  const [cmd, args] = pinned(0, [process.execPath, '--expose-gc', ...nodeArgs, `servers/${kind}.mjs`]);
  const child = spawn(cmd, args, { cwd: BENCH_DIR, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => (stderr = (stderr + s).slice(-4000)));
  child.stderrText = () => stderr;
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`${kind} server did not start in 20 s`)), 20_000);
    const fail = (err) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${stderr}`));
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s) => {
      out += s;
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => fail(new Error(`${kind} server exited with ${code}`)));
  });
}

export async function stopServer(child) {
  child.kill('SIGTERM');
  if (!(await waitExit(child, 3000))) {
    child.kill('SIGKILL');
    await waitExit(child, 3000);
  }
}

function spawnGenerator(config, interactive) {
  const [cmd, args] = pinned(1, [process.execPath, 'load/gen.mjs', JSON.stringify(config)]);
  const child = spawn(cmd, args, { cwd: BENCH_DIR, stdio: [interactive ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.on('exit', () => live.delete(child));
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  let err = '';
  child.stderr.on('data', (s) => (err = (err + s).slice(-4000)));
  child.stderrText = () => err;
  return child;
}

/** The generator's last stdout line as its JSON answer, or a failure naming what it printed. */
function generatorAnswer(line, code, child) {
  try {
    return JSON.parse(line);
  } catch {
    return { ok: false, error: `generator exited with ${code}: ${child.stderrText() || line}`.slice(0, 2000) };
  }
}

/** Runs the load generator (pinned to core 1) against a port; resolves to its JSON answer. */
export function runGenerator(config) {
  const deadlineMs = (config.warmupMs ?? 0) + (config.durationMs ?? 0) + 90_000;
  const child = spawnGenerator({ ...config, deadlineMs }, false);
  let out = '';
  child.stdout.on('data', (s) => (out += s));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs + 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(generatorAnswer(out.trim().split('\n').pop(), code, child));
    });
  });
}

/**
 * A generator in interleaved mode (gen.mjs `interleaved`): it answers `READY` once its sessions are
 * open, `DONE` after each slice of load the runner asks for, and its JSON metrics at the end.
 */
class SlicedGenerator {
  constructor(config) {
    this.child = spawnGenerator({ ...config, interleaved: true, deadlineMs: 300_000 }, true);
    this.lines = [];
    this.waiter = null;
    this.exitCode = undefined;
    let text = '';
    this.child.stdout.on('data', (s) => {
      text += s;
      let i;
      while ((i = text.indexOf('\n')) !== -1) {
        this.#push(text.slice(0, i).trim());
        text = text.slice(i + 1);
      }
    });
    this.child.on('exit', (code) => {
      this.exitCode = code;
      if (text.trim()) this.#push(text.trim());
      this.#push(null);
    });
  }

  #push(line) {
    if (this.waiter) this.waiter(line);
    else this.lines.push(line);
  }

  /** The next line (null once the process has exited, or after `ms` without one). */
  next(ms) {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.exitCode !== undefined) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        this.child.kill('SIGKILL');
        resolve(null);
      }, ms);
      this.waiter = (line) => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(line);
      };
    });
  }

  /** Sends a command and waits for the line that answers it. */
  ask(command, ms) {
    this.child.stdin.write(`${command}\n`);
    return this.next(ms);
  }

  failure(line) {
    const answer = line === null ? null : generatorAnswer(line, this.exitCode, this.child);
    if (answer && answer.ok === false) return answer;
    return { ok: false, error: line === null ? `generator stopped answering (exit ${this.exitCode}): ${this.child.stderrText()}`.slice(0, 2000) : `unexpected generator output: ${line.slice(0, 200)}` };
  }

  kill() {
    this.child.kill('SIGKILL');
  }
}

/**
 * The core build `--baseline` compares with: ours.mjs on another checkout's dist (DIR is that
 * checkout's packages/core/dist or the checkout itself).
 */
export function baselineCore(dir) {
  const entry = [join(dir, 'index.js'), join(dir, 'packages/core/dist/index.js')].find((f) => existsSync(f));
  if (!entry) throw new Error(`--baseline ${dir}: no index.js there nor packages/core/dist/index.js (build that checkout first)`);
  return resolve(entry);
}
let baselineEntry;
export const useBaseline = (dir) => (baselineEntry = baselineCore(dir));

function startKind(kind, nodeArgs = []) {
  return kind === 'baseline' ? startServer('ours', nodeArgs, { BENCH_CORE: baselineEntry }) : startServer(kind, nodeArgs);
}

const framingOf = (kind) => (kind === 'limit' ? 'raw' : 'sockjs');

/** One measurement on a fresh server process. */
export async function measure(kind, scenario, nodeArgs = []) {
  let server;
  try {
    server = await startKind(kind, nodeArgs);
  } catch (err) {
    return { ok: false, error: err.message };
  }
  try {
    const result = await runGenerator({ ...scenario.gen, port: server.port, framing: framingOf(kind) });
    if (server.child.exitCode !== null) {
      result.ok = false;
      result.error = `server died: ${server.child.stderrText()}`;
    }
    return result;
  } finally {
    await stopServer(server.child);
  }
}

/**
 * One interleaved measurement of a scenario on every server in `kinds`: each server gets a fresh
 * process and a generator that opens its sessions (one server at a time, so that set-ups do not
 * overlap), then the servers take turns, one slice of load each (a warm-up slice first, the order
 * rotating from slice to slice) while the others sit idle, until each has had
 * durationMs ÷ sliceMs measured slices. Every server sees the machine of the same few seconds,
 * so a burst of outside load falls on all of them rather than on whichever ran at that moment.
 * Resolves to { [kind]: generator answer }.
 */
export async function measureInterleaved(kinds, scenario) {
  const slices = Math.max(1, Math.round(scenario.gen.durationMs / scenario.gen.sliceMs));
  const answers = {};
  const runs = [];
  try {
    for (const kind of kinds) {
      let server;
      try {
        server = await startKind(kind);
      } catch (err) {
        answers[kind] = { ok: false, error: err.message };
        continue;
      }
      const gen = new SlicedGenerator({ ...scenario.gen, port: server.port, framing: framingOf(kind) });
      runs.push({ kind, server, gen });
      const line = await gen.next(180_000);
      if (line !== 'READY') answers[kind] = gen.failure(line);
    }
    for (let slice = 0; slice <= slices; slice++) {
      for (let i = 0; i < runs.length; i++) {
        const { kind, gen } = runs[(i + slice) % runs.length];
        if (answers[kind]) continue;
        const line = await gen.ask('go', 60_000);
        if (line !== 'DONE') answers[kind] = gen.failure(line);
      }
    }
    for (const { kind, server, gen } of runs) {
      if (answers[kind]) continue;
      const line = await gen.ask('end', 60_000);
      const answer = line === null ? gen.failure(line) : generatorAnswer(line, gen.exitCode, gen.child);
      if (server.child.exitCode !== null) Object.assign(answer, { ok: false, error: `server died: ${server.child.stderrText()}` });
      answers[kind] = answer;
    }
  } finally {
    for (const { gen } of runs) gen.kill();
    await Promise.all(runs.map(({ server }) => stopServer(server.child)));
  }
  return answers;
}

export function coreBuilt() {
  return existsSync(new URL('../packages/core/dist/index.js', import.meta.url));
}

// ---- statistics -------------------------------------------------------------

export function summary(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}
