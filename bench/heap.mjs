#!/usr/bin/env node
// Where an idle session's heap goes: opens N idle sessions against a server,
// takes a heap snapshot (after GC) before and after, and prints the growth per
// session by constructor / node type, for ours and the limit side by side, and
// the strings that grew the most. The account behind the memory targets.
//
//   node bench/heap.mjs [--transport websocket|xhr_streaming] [--sessions 2000] [--server ours,limit] [--top 25] [--keep]
//
// --keep leaves the snapshots in bench/out/heap/ (open them in Chrome DevTools' Memory tab).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, runGenerator, startServer, stopServer } from './harness.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? fallback : argv[i + 1];
};
const transport = option('transport', 'websocket');
const sessions = Number(option('sessions', 2000));
const servers = option('server', 'ours,limit').split(',');
const top = Number(option('top', 25));

/** Self size and count by `type:name` (objects by constructor, strings by type), plus string values. */
function tally(file) {
  const { snapshot, nodes, strings } = JSON.parse(readFileSync(file, 'utf8'));
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const byKey = new Map();
  const byString = new Map();
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    const name = strings[nodes[i + nameAt]];
    const size = nodes[i + sizeAt];
    const isString = type.endsWith('string');
    const key = isString || type === 'number' ? `(${type})` : `${type}:${name}`;
    const entry = byKey.get(key) ?? byKey.set(key, { size: 0, count: 0 }).get(key);
    entry.size += size;
    entry.count++;
    if (isString) {
      // Values unique to one session (ids, ports) are grouped by their shape.
      const shape = name.slice(0, 60).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>').replace(/[A-Za-z0-9_-]{20,}/g, '<id>').replace(/\d+/g, '9');
      const value = `${type === 'string' ? '' : `${type}: `}${shape}`;
      const s = byString.get(value) ?? byString.set(value, { size: 0, count: 0 }).get(value);
      s.size += size;
      s.count++;
    }
  }
  return { byKey, byString };
}

function growth(before, after, n) {
  const rows = new Map();
  for (const [key, a] of after) {
    const b = before.get(key) ?? { size: 0, count: 0 };
    rows.set(key, { bytes: (a.size - b.size) / n, count: (a.count - b.count) / n });
  }
  for (const [key, b] of before) if (!after.has(key)) rows.set(key, { bytes: -b.size / n, count: -b.count / n });
  return rows;
}

async function profile(kind) {
  const dir = join(BENCH_DIR, 'out', 'heap', `${kind}-${transport}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await startServer(kind, [], { BENCH_HEAP_DIR: dir });
  try {
    const result = await runGenerator({
      scenario: 'memory',
      transport,
      sessions,
      settleMs: 1000,
      heapSnapshots: true,
      port: server.port,
      framing: kind === 'limit' ? 'raw' : 'sockjs',
    });
    if (!result.ok) throw new Error(`${kind}: ${result.error}`);
    const before = tally(join(dir, 'before.heapsnapshot'));
    const after = tally(join(dir, 'after.heapsnapshot'));
    return {
      heapPerSession: result.metrics.heapPerSession,
      byKey: growth(before.byKey, after.byKey, sessions),
      byString: growth(before.byString, after.byString, sessions),
    };
  } finally {
    await stopServer(server.child);
    if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

const results = {};
for (const kind of servers) results[kind] = await profile(kind);

const fmt = (v) => (Math.abs(v) < 0.05 ? '' : v.toFixed(Math.abs(v) < 10 ? 1 : 0));
console.log(`# Heap growth per idle ${transport} session (${sessions} sessions, self sizes, bytes)\n`);
for (const kind of servers) {
  const total = [...results[kind].byKey.values()].reduce((sum, r) => sum + r.bytes, 0);
  console.log(`- ${kind}: heapUsed ${results[kind].heapPerSession.toFixed(0)} B/session; snapshot self sizes ${total.toFixed(0)} B/session`);
}
const keys = new Set(servers.flatMap((kind) => [...results[kind].byKey.keys()]));
const cell = (kind, key) => results[kind].byKey.get(key) ?? { bytes: 0, count: 0 };
const diffOf = (key) => (servers.length === 2 ? cell(servers[0], key).bytes - cell(servers[1], key).bytes : cell(servers[0], key).bytes);
const header = servers.map((k) => `${k} B | ${k} n`).join(' | ');
console.log(`\n| node | ${header}${servers.length === 2 ? ` | ${servers[0]} − ${servers[1]} B` : ''} |`);
console.log(`| --- | ${servers.map(() => '---: | ---:').join(' | ')}${servers.length === 2 ? ' | ---:' : ''} |`);
for (const key of [...keys].sort((a, b) => Math.abs(diffOf(b)) - Math.abs(diffOf(a))).slice(0, top)) {
  const cells = servers.map((k) => `${fmt(cell(k, key).bytes)} | ${fmt(cell(k, key).count)}`).join(' | ');
  console.log(`| \`${key}\` | ${cells}${servers.length === 2 ? ` | ${fmt(diffOf(key))}` : ''} |`);
}
for (const kind of servers) {
  console.log(`\nStrings that grew the most, ${kind} (per session):\n`);
  const rows = [...results[kind].byString].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 12);
  for (const [value, r] of rows) console.log(`- ${r.bytes.toFixed(0)} B, ${r.count.toFixed(2)} × \`${JSON.stringify(value).slice(1, -1)}\``);
}
