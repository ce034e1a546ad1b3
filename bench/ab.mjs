#!/usr/bin/env node
// Quick A/B aid while optimising: runs one scenario N times against one
// server and prints the median of each metric. Not part of the report.
//   node bench/ab.mjs ws-echo-16k [--runs 5] [--server ours] [--quick]
import { runGenerator, scenarios, startServer, stopServer } from './harness.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const id = argv[0];
const runs = Number(option('--runs', 5));
const kind = option('--server', 'ours');
const scenario = scenarios({ quick: argv.includes('--quick') }).list.find((s) => s.id === id);
if (!scenario) throw new Error(`unknown scenario ${id}`);
const values = {};
for (let i = 0; i < runs; i++) {
  const server = await startServer(kind);
  try {
    const { metrics, error } = await runGenerator({ ...scenario.gen, port: server.port, framing: kind === 'limit' ? 'raw' : 'sockjs' });
    if (error) throw new Error(error);
    for (const [k, v] of Object.entries(metrics)) (values[k] ??= []).push(v);
  } finally {
    await stopServer(server.child);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [k, xs] of Object.entries(values)) console.log(`${k.padEnd(14)} ${median(xs).toFixed(2).padStart(12)}   [${xs.map((x) => x.toFixed(1)).join(' ')}]`);
