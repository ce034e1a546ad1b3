#!/usr/bin/env node
// CPU profile of a server in chosen scenarios: runs the scenario once
// against servers/<server>.mjs (ours unless --server sockjs|limit) started with --cpu-prof, then prints the top
// self-time functions as file:function (dist positions mapped back to
// packages/core/src through the source map).
//
//   node bench/profile.mjs ws-echo-1000 xhrp-1000 [--quick] [--top 20] [--server ours|sockjs|limit]
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, runGenerator, scenarios, startServer, stopServer } from './harness.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const topIndex = argv.indexOf('--top');
const top = topIndex === -1 ? 20 : Number(argv[topIndex + 1]);
const serverIndex = argv.indexOf('--server');
const serverKind = serverIndex === -1 ? 'ours' : argv[serverIndex + 1];
const ids = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--top' && argv[i - 1] !== '--server');
const { list } = scenarios({ quick });
const repo = fileURLToPath(new URL('..', import.meta.url));

const maps = new Map();
function sourceMapFor(url) {
  if (!maps.has(url)) {
    let map = null;
    try {
      const path = fileURLToPath(url);
      map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
    } catch {
      // No source map (a Node internal or a dependency): positions stay as they are.
    }
    maps.set(url, map);
  }
  return maps.get(url);
}

function place(frame) {
  const { url, functionName, lineNumber, columnNumber } = frame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  if (url.startsWith('file://')) {
    const map = sourceMapFor(url);
    const entry = map?.findEntry(lineNumber, columnNumber);
    if (entry?.originalSource) {
      const src = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : join(fileURLToPath(new URL('.', url)), entry.originalSource);
      return `${relative(repo, src)}:${name}`;
    }
    return `${relative(repo, fileURLToPath(url)).replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')}:${name}`;
  }
  return `${url}:${name}`;
}

/** Which layer a sampled function belongs to, for the per-layer summary. */
function layer(frame) {
  const { functionName: fn, url } = frame;
  if (/^(writev|writeLatin1String|writeUtf8String|writeBuffer)$/.test(fn)) return 'socket writes (system calls)';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)') return '(program)';
  if (/packages\/core|path-to-regexp|\/cookie\//.test(url)) return 'this project (core and its deps)';
  if (/\/ws\/lib\//.test(url)) return 'ws';
  if (/sockjs\/lib\/|faye-websocket|websocket-driver/.test(url)) return 'sockjs 0.3.24 and its deps';
  if (/_http_/.test(url)) return 'node:http';
  if (/streams|stream_base|node:net/.test(url)) return 'node streams and net';
  if (/bench\/servers\//.test(url)) return 'bench server script';
  return 'other (events, ticks, timers, natives)';
}

function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const layers = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = profile.timeDeltas[i] ?? 0;
    const key = place(node.callFrame);
    if (key === '(idle)') continue;
    self.set(key, (self.get(key) ?? 0) + dt);
    layers.set(layer(node.callFrame), (layers.get(layer(node.callFrame)) ?? 0) + dt);
    total += dt;
  }
  const byTime = (a, b) => b[1] - a[1];
  return { total, rows: [...self.entries()].sort(byTime), layers: [...layers.entries()].sort(byTime) };
}

for (const id of ids) {
  const scenario = list.find((s) => s.id === id);
  if (!scenario) {
    console.error(`unknown scenario ${id}`);
    continue;
  }
  const dir = join(BENCH_DIR, 'out', 'prof', serverKind === 'ours' ? id : `${id}-${serverKind}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await startServer(serverKind, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  let result;
  try {
    result = await runGenerator({ ...scenario.gen, port: server.port, framing: serverKind === 'limit' ? 'raw' : 'sockjs' });
    // A clean exit writes the profile.
    await fetch(`http://127.0.0.1:${server.port}/__bench/exit`).catch(() => {});
  } finally {
    await stopServer(server.child);
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  console.log(`\n## ${id} (${serverKind}): ${scenario.title}`);
  console.log(`result: ${JSON.stringify(result.metrics ?? result.error)}`);
  if (!file) {
    console.log('no profile written');
    continue;
  }
  const { total, rows, layers } = summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  console.log(`non-idle samples: ${(total / 1000).toFixed(0)} ms (whole process life, setup included)\n`);
  console.log('| self % | self ms | file:function |\n| ---: | ---: | --- |');
  for (const [key, us] of rows.slice(0, top)) console.log(`| ${((100 * us) / total).toFixed(1)} | ${(us / 1000).toFixed(0)} | \`${key}\` |`);
  console.log('\n| layer | self % | self ms |\n| --- | ---: | ---: |');
  for (const [key, us] of layers) console.log(`| ${key} | ${((100 * us) / total).toFixed(1)} | ${(us / 1000).toFixed(0)} |`);
}
