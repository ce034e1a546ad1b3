#!/usr/bin/env node
// Garbage-collector cost per HTTP request of a server in a scenario: runs it
// against servers/<server>.mjs started with --trace-gc-nvp and a request
// counter, then prints bytes allocated and promoted to the old generation, in
// all and per request (HTTP scenarios), with scavenge and mark-compact
// pauses. What separates two servers whose CPU profiles differ mostly in
// "(garbage collector)": a response kept alive past two scavenges is
// promoted, and costs every later GC.
//
//   node bench/gc.mjs xhrp-1000 [--server ours|limit] [--seconds 6] [--runs 3]
import { fileURLToPath } from 'node:url';
import { runGenerator, scenarios, startServer, stopServer } from './harness.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const serverKind = option('--server', 'ours');
const seconds = Number(option('--seconds', '6'));
const runs = Number(option('--runs', '1'));
const ids = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const counter = fileURLToPath(new URL('probes/count-requests.mjs', import.meta.url));

/** Sums one process's `--trace-gc-nvp` lines: `gc=s` is a scavenge, anything else a mark-compact. */
function readTrace(text) {
  const sum = { allocated: 0, promoted: 0, scavenges: 0, scavengeMs: 0, markCompacts: 0, markCompactMs: 0 };
  for (const line of text.split('\n')) {
    const kind = /\bgc=(\w+)/.exec(line)?.[1];
    if (kind === undefined) continue;
    const field = (name) => Number(new RegExp(`\\b${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
    sum.allocated += field('allocated');
    sum.promoted += field('promoted');
    if (kind === 's') {
      sum.scavenges++;
      sum.scavengeMs += field('pause');
    } else {
      sum.markCompacts++;
      sum.markCompactMs += field('pause');
    }
  }
  return sum;
}

console.log('| scenario | server | msgs/s | requests | allocated MB | promoted MB | allocated B/req | promoted B/req | scavenges | scavenge µs/req | mark-compacts | mark-compact ms |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const id of ids) {
  const scenario = scenarios({ quick: false }).list.find((s) => s.id === id);
  if (!scenario) {
    console.error(`unknown scenario ${id}`);
    continue;
  }
  for (let run = 0; run < runs; run++) {
    const server = await startServer(serverKind, ['--trace-gc-nvp', '--import', counter]);
    let trace = '';
    server.child.stdout.on('data', (s) => (trace += s));
    let result;
    try {
      result = await runGenerator({ ...scenario.gen, port: server.port, warmupMs: 1000, durationMs: seconds * 1000, framing: serverKind === 'limit' ? 'raw' : 'sockjs' });
    } finally {
      await stopServer(server.child);
    }
    const requests = Number(/REQUESTS (\d+)/.exec(server.child.stderrText())?.[1] ?? NaN);
    const gc = readTrace(trace);
    const perRequest = (v) => (requests > 0 ? v / requests : NaN);
    const msgs = result.metrics?.msgsPerSec;
    console.log(
      `| ${id} | ${serverKind} | ${msgs === undefined ? result.error : Math.round(msgs)} | ${requests} | ${(gc.allocated / 1e6).toFixed(0)} | ${(gc.promoted / 1e6).toFixed(1)} | ${perRequest(gc.allocated).toFixed(0)} | ${perRequest(gc.promoted).toFixed(0)} | ${gc.scavenges} | ${perRequest(gc.scavengeMs * 1000).toFixed(2)} | ${gc.markCompacts} | ${gc.markCompactMs.toFixed(0)} |`,
    );
  }
}
