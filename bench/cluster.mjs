#!/usr/bin/env node
// Cluster benchmark: three nodes on one Redis against one node, in the same
// run, round after round (the order of the two alternating). In the cluster
// every HTTP request lands on a node that does not own its session (the
// session is opened on node A, polled or streamed on node B, sent to on
// node C), and broadcasts go from a sender on node A to sessions on node B,
// so each figure is the forwarded path only.
//
//   node bench/cluster.mjs [--rounds N] [--quick] [--write]
//
// --write puts the report in bench/CLUSTER.md. Needs `redis-server` on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BENCH_DIR, coreBuilt, HAVE_TASKSET, METRICS, runGenerator, startServer, stopServer, summary } from './harness.mjs';

const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const quick = argv.includes('--quick');
const rounds = Number(option('--rounds') ?? (quick ? 1 : 3));
const timing = quick ? { warmupMs: 300, durationMs: 1000 } : { warmupMs: 750, durationMs: 2500 };

if (!coreBuilt()) {
  console.error('packages/core/dist is missing: run `pnpm build` first (`pnpm bench:cluster` does).');
  process.exit(1);
}
if (spawnSync('redis-server', ['--version']).error) {
  console.error('redis-server is not installed (Debian: apt-get install redis-server).');
  process.exit(1);
}

const echo = ['msgsPerSec', 'p50Ms', 'p99Ms'];
const SCENARIOS = [
  { id: 'fwd-xhrp-1', title: 'xhr-polling echo, 1 session (added latency)', gen: { scenario: 'xhr', transport: 'xhr', sessions: 1, size: 32 }, metrics: echo },
  { id: 'fwd-xhrp-100', title: 'xhr-polling echo, 100 sessions', gen: { scenario: 'xhr', transport: 'xhr', sessions: 100, size: 32 }, metrics: echo },
  { id: 'fwd-xhrs-100', title: 'xhr-streaming echo, 100 sessions', gen: { scenario: 'xhr', transport: 'xhr_streaming', sessions: 100, size: 32 }, metrics: echo },
  { id: 'x-bcast-1000', title: 'Broadcast to 1000 WebSocket sessions', gen: { scenario: 'broadcast', sessions: 1000, size: 32, window: 4, oneShots: 3 }, metrics: ['deliveriesPerSec', 'oneMsgMs'] },
];

/** `of: 'ratio'`: cluster ÷ single node; `of: 'added'`: cluster − single node. */
const TARGETS = [
  { scenario: 'fwd-xhrp-100', metric: 'msgsPerSec', of: 'ratio', op: '>=', value: 0.6, text: 'Forwarded xhr-polling throughput ≥ 0.6 × one node' },
  { scenario: 'fwd-xhrp-1', metric: 'p50Ms', of: 'added', op: '<=', value: 1, text: 'Added p50 latency of a forwarded xhr-polling round trip ≤ 1 ms' },
  { scenario: 'x-bcast-1000', metric: 'deliveriesPerSec', of: 'ratio', op: '>=', value: 0.8, text: 'Cross-node broadcast deliveries/s ≥ 0.8 × one node' },
];

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  child.stdout.resume();
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

async function measureSingle(scenario) {
  const node = await startServer('cluster-node');
  try {
    return await runGenerator({ ...scenario.gen, ...timing, port: node.port, framing: 'sockjs' });
  } finally {
    await stopServer(node.child);
  }
}

async function measureCluster(scenario, redisUrl) {
  const nodes = [];
  try {
    for (let i = 0; i < 3; i++) nodes.push(await startServer('cluster-node', [], { BENCH_CLUSTER: redisUrl }));
    await delay(1500); // a heartbeat or two, so every node knows the others
    const [a, b, c] = nodes.map((n) => n.port);
    const routes = scenario.gen.scenario === 'broadcast' ? { port: b, senderPort: a } : { port: a, recvPort: b, sendPort: c };
    return await runGenerator({ ...scenario.gen, ...timing, ...routes, framing: 'sockjs' });
  } finally {
    await Promise.all(nodes.map((n) => stopServer(n.child)));
  }
}

const started = new Date();
const t0 = Date.now();
const redis = await startRedis();
const results = Object.fromEntries(SCENARIOS.map((s) => [s.id, { single: [], cluster: [] }]));
const failures = [];
try {
  for (let round = 0; round < rounds; round++) {
    for (const scenario of SCENARIOS) {
      const order = round % 2 === 0 ? ['single', 'cluster'] : ['cluster', 'single'];
      for (const config of order) {
        const r = config === 'single' ? await measureSingle(scenario) : await measureCluster(scenario, redis.url);
        results[scenario.id][config][round] = r.ok ? r.metrics : null;
        if (!r.ok) failures.push(`${scenario.id} ${config} round ${round + 1}: ${r.error.split('\n').slice(0, 3).join(' ')}`);
        else if (r.errors) failures.push(`${scenario.id} ${config} round ${round + 1}: ${r.errors} errors (first: ${r.firstError})`);
        const metric = scenario.metrics[0];
        const shown = r.ok ? `${METRICS[metric].fmt(r.metrics[metric])} ${METRICS[metric].label}, p50 ${r.metrics.p50Ms?.toFixed(2) ?? '-'} ms` : `FAILED ${r.error.split('\n')[0]}`;
        console.log(`[round ${round + 1}/${rounds} ${((Date.now() - t0) / 1000).toFixed(0)}s] ${scenario.id.padEnd(13)} ${config.padEnd(7)} ${shown}`);
      }
    }
  }
} finally {
  redis.stop();
}

// ---- report -------------------------------------------------------------------

const perRound = (id, metric, combine) => {
  const v = [];
  for (let round = 0; round < rounds; round++) {
    const x = results[id].cluster[round]?.[metric];
    const y = results[id].single[round]?.[metric];
    if (typeof x === 'number' && typeof y === 'number') v.push(combine(x, y));
  }
  return summary(v);
};
const ratio = (id, metric) => perRound(id, metric, (x, y) => x / y);
const added = (id, metric) => perRound(id, metric, (x, y) => x - y);
const range = (s, fmt) => (s === null ? 'n/a' : s.n > 1 ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.median));
const two = (v) => v.toFixed(2);

const lines = ['# Cluster benchmark', ''];
lines.push(
  `Command: \`pnpm bench:cluster${rounds !== 3 ? ` --rounds ${rounds}` : ''}${quick ? ' --quick' : ''}\`. Made ${started.toISOString()} in ${((Date.now() - t0) / 60_000).toFixed(1)} min, ` +
    `${rounds} round${rounds > 1 ? 's' : ''}, one node and three nodes alternating first; each measurement on fresh processes ` +
    `(${timing.warmupMs / 1000} s warm-up, ${timing.durationMs / 1000} s measured).`,
  '',
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. ${HAVE_TASKSET ? 'Every node process is pinned to core 0 (one node alone, or all three sharing it) and the load generator to core 1; redis-server is not pinned' : 'No taskset: nothing pinned'}. ` +
    'So the three nodes get the CPU the single node gets: the figures compare the cost of the forwarded path, not the capacity of three machines.',
  '',
  'Routes: a cluster session is opened on node A, and all its later requests go to other nodes (polls or the stream to B, sends to C); ' +
    'broadcasts are sent from a session on A and received by 1000 sessions on B. The single node is the same server script without a cluster.',
  '',
  '## Targets',
  '',
  '| Target | Measured | Goal | Status |',
  '| --- | --- | --- | --- |',
);
for (const t of TARGETS) {
  const s = t.of === 'ratio' ? ratio(t.scenario, t.metric) : added(t.scenario, t.metric);
  const met = s === null ? 'not measured' : (t.op === '>=' ? s.median >= t.value : s.median <= t.value) ? 'met' : 'NOT met';
  const goal = t.of === 'ratio' ? `${t.op === '>=' ? '≥' : '≤'} ${t.value} × one node` : `${t.op === '>=' ? '≥' : '≤'} ${t.value} ms added`;
  lines.push(`| ${t.text} | ${range(s, t.of === 'ratio' ? two : (v) => `${two(v)} ms`)} | ${goal} | ${met} |`);
}
lines.push('', '## All results', '', '| Scenario | Metric | one node | three nodes, forwarded | ratio | added |', '| --- | --- | ---: | ---: | ---: | ---: |');
for (const scenario of SCENARIOS) {
  scenario.metrics.forEach((metric, i) => {
    const fmt = METRICS[metric].fmt;
    const single = summary(results[scenario.id].single.map((m) => m?.[metric]));
    const cluster = summary(results[scenario.id].cluster.map((m) => m?.[metric]));
    const name = i === 0 ? `${scenario.title} \`${scenario.id}\`` : '';
    lines.push(`| ${name} | ${METRICS[metric].label} | ${range(single, fmt)} | ${range(cluster, fmt)} | ${range(ratio(scenario.id, metric), two)} | ${range(added(scenario.id, metric), fmt)} |`);
  });
}
if (failures.length > 0) lines.push('', '## Failures and errors', '', ...failures.map((f) => `- ${f}`));
lines.push('');
const markdown = lines.join('\n');
console.log(`\n${markdown}`);
if (argv.includes('--write')) {
  writeFileSync(join(BENCH_DIR, 'CLUSTER.md'), markdown);
  console.log('written to bench/CLUSTER.md');
}
