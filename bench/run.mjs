#!/usr/bin/env node
// Benchmark runner: for each round, each scenario, each server (ours, sockjs
// 0.3.24, limit) on a fresh pinned server process, drive the load generator;
// then medians (min–max) and same-round ratios, written to RESULTS.md and
// ratios.svg (full runs) or printed (quick runs).
//
//   node bench/run.mjs [--quick] [--guard] [--rounds N] [--only id,id] [--baseline DIR] [--note "text"] [--write]
//
// --guard (`npm run bench:quick`): the regression guard, under 2 minutes: quick durations, two
// interleaved rounds of GUARD_IDS against ours and the limit only (no sockjs), prints each
// target's ratio with met / missed and writes bench/quick.json (gitignored), nothing else.
// --baseline DIR: another checkout's built core (its packages/core/dist) runs as a fourth server
// in every round, and ours ÷ baseline is printed per scenario: the cost of a change, same run.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, coreBuilt, FD_LIMIT, HAVE_TASKSET, KIND_LABEL, KINDS, measure, measureInterleaved, METRICS, scenarios, summary, TARGETS, useBaseline } from './harness.mjs';
import { renderSvg } from './svg.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const guard = flag('--guard');
const GUARD_IDS = ['ws-echo-100', 'ws-echo-16k', 'xhrs-100', 'xhrp-100', 'bcast-1000', 'new-sessions'];
const quick = flag('--quick') || guard;
const baseline = option('--baseline');
if (baseline) useBaseline(baseline);
const kinds = [...(guard ? KINDS.filter((k) => k !== 'sockjs') : KINDS), ...(baseline ? ['baseline'] : [])];
const rounds = Number(option('--rounds') ?? (guard ? 2 : quick ? 1 : 5));
const only = option('--only')?.split(',') ?? (guard ? GUARD_IDS : undefined);
const note = option('--note');
const write = !guard && (flag('--write') || (!quick && !only));

if (!coreBuilt()) {
  console.error('packages/core/dist is missing: run `pnpm build` first (`pnpm bench` does).');
  process.exit(1);
}

const { list: allScenarios, notes } = scenarios({ quick });
const chosen = only ? allScenarios.filter((s) => only.includes(s.id)) : allScenarios;
if (chosen.length === 0) {
  console.error(`no scenario matches ${only}; ids: ${allScenarios.map((s) => s.id).join(', ')}`);
  process.exit(2);
}
for (const n of notes) console.log(`note: ${n}`);
if (!HAVE_TASKSET) console.log('note: taskset not found, server and load generator are not pinned');

const started = new Date();
const load0 = os.loadavg();
const t0 = Date.now();
// results[scenario][kind][round] = { metrics } | { error }
const results = Object.fromEntries(chosen.map((s) => [s.id, Object.fromEntries([...KINDS, 'baseline'].map((k) => [k, []]))]));
const failures = [];

/** Every server on one scenario: interleaved slices for the load scenarios, back to back for memory. */
async function measureAll(order, scenario) {
  if (scenario.gen.sliceMs) return measureInterleaved(order, scenario);
  const answers = {};
  for (const kind of order) answers[kind] = await measure(kind, scenario);
  return answers;
}

// One throwaway measurement first: the machine's first seconds under load (CPU clocks, page cache,
// JIT of the generator) would otherwise count against whichever server runs first.
if (!quick) await measureAll(kinds, chosen[0]);

for (let round = 0; round < rounds; round++) {
  // The order of the servers rotates from round to round, so none always sets up or runs first.
  const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
  for (const scenario of chosen) {
    const answers = await measureAll(order, scenario);
    for (const kind of order) {
      const r = answers[kind];
      const slot = results[scenario.id][kind];
      if (r.ok) {
        slot[round] = r.metrics;
        if (r.errors) failures.push(`${scenario.id} ${kind} round ${round + 1}: ${r.errors} errors during the run (first: ${r.firstError})`);
      } else {
        slot[round] = null;
        failures.push(`${scenario.id} ${kind} round ${round + 1}: ${r.error.split('\n').slice(0, 3).join(' ')}`);
      }
      const m = r.ok ? METRICS[scenario.primary].fmt(r.metrics[scenario.primary]) + ' ' + METRICS[scenario.primary].label : `FAILED ${r.error.split('\n')[0]}`;
      const elapsed = ((Date.now() - t0) / 1000).toFixed(0);
      console.log(`[round ${round + 1}/${rounds} ${elapsed}s] ${scenario.id.padEnd(15)} ${kind.padEnd(7)} ${m}${r.errors ? ` (${r.errors} errors)` : ''}`);
    }
  }
}
const seconds = (Date.now() - t0) / 1000;
const load1 = os.loadavg();

// ---- statistics -----------------------------------------------------------------

const primaryOf = Object.fromEntries(chosen.map((s) => [s.id, s.primary]));

/**
 * One round's a ÷ b. On an interleaved scenario's main metric it is the median over the round's
 * slice cycles of a's slice ÷ b's slice (cycle c is slice c of every server, a second or two
 * apart), so a burst of outside load that lands in one slice moves one cycle's ratio, not the
 * round's. Otherwise it is the ratio of the two round figures.
 */
function roundRatio(scenarioId, metric, a, b, round) {
  const x = results[scenarioId][a][round];
  const y = results[scenarioId][b][round];
  if (!x || !y) return undefined;
  const xs = x.sliceRates;
  const ys = y.sliceRates;
  if (metric === primaryOf[scenarioId] && xs?.length > 0 && xs.length === ys?.length) {
    return summary(xs.map((v, i) => (ys[i] > 0 ? v / ys[i] : NaN)))?.median;
  }
  return typeof x[metric] === 'number' && typeof y[metric] === 'number' && y[metric] !== 0 ? x[metric] / y[metric] : undefined;
}
function ratioSummary(scenarioId, metric, a, b) {
  const v = [];
  for (let round = 0; round < rounds; round++) v.push(roundRatio(scenarioId, metric, a, b, round));
  return summary(v);
}
const kindSummary = (scenarioId, kind, metric) => summary(results[scenarioId][kind].map((m) => m?.[metric]));

const fmtRange = (s, fmt) => (s === null ? 'n/a' : s.n > 1 ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.median));
const fmtRatio = (v) => v.toFixed(2);

const rows = [];
for (const scenario of chosen) {
  for (const metric of scenario.metrics) {
    const fmt = METRICS[metric].fmt;
    rows.push({
      scenario,
      metric,
      ours: fmtRange(kindSummary(scenario.id, 'ours', metric), fmt),
      sockjs: fmtRange(kindSummary(scenario.id, 'sockjs', metric), fmt),
      limit: fmtRange(kindSummary(scenario.id, 'limit', metric), fmt),
      oursLimit: fmtRange(ratioSummary(scenario.id, metric, 'ours', 'limit'), fmtRatio),
      sockjsLimit: fmtRange(ratioSummary(scenario.id, metric, 'sockjs', 'limit'), fmtRatio),
      oursSockjs: fmtRange(ratioSummary(scenario.id, metric, 'ours', 'sockjs'), fmtRatio),
    });
  }
}

const targetRows = [];
for (const target of TARGETS) {
  if (!results[target.scenario] || !kinds.includes(target.of === 'abs' ? 'ours' : target.of)) continue;
  const s = target.of === 'abs' ? kindSummary(target.scenario, 'ours', target.metric) : ratioSummary(target.scenario, target.metric, 'ours', target.of);
  const fmt = target.of === 'abs' ? METRICS[target.metric].fmt : fmtRatio;
  const met = s === null ? null : target.op === '>=' ? s.median >= target.value : s.median <= target.value;
  // The issue's bar is every round, not the median: the worst round decides.
  const everyRound = s === null ? null : target.op === '>=' ? s.min >= target.value : s.max <= target.value;
  const goal = target.of === 'abs' ? `${target.op === '>=' ? '≥' : '≤'} ${fmt(target.value)} ${METRICS[target.metric].label}` : `${target.op === '>=' ? '≥' : '≤'} ${target.value} × ${target.of === 'limit' ? 'limit' : 'sockjs'}`;
  targetRows.push({ target, measured: fmtRange(s, fmt), goal, status: met === null ? 'not measured' : met ? 'met' : 'NOT met', everyRound: everyRound === null ? 'n/a' : everyRound ? 'yes' : 'no', median: s?.median });
}

// Ours ÷ the baseline build on each scenario's main metric (for memory, lower is better).
const baselineRows = baseline
  ? chosen.map((s) => ({ scenario: s.id, metric: s.primary, ratio: ratioSummary(s.id, s.primary, 'ours', 'baseline') }))
  : [];

// ---- report -------------------------------------------------------------------

if (baseline) {
  console.log(`\nours ÷ baseline (${baseline}), same rounds:`);
  for (const b of baselineRows) {
    const better = METRICS[b.metric].higher ? 'higher is better' : 'lower is better';
    console.log(`  ${b.scenario.padEnd(15)} ${METRICS[b.metric].label} ${fmtRange(b.ratio, fmtRatio)} (${better})`);
  }
}

if (guard) {
  console.log(`\nbench:quick, ${rounds} rounds in ${seconds.toFixed(0)} s, load average ${load0.map((x) => x.toFixed(1)).join(' / ')} before, ${load1.map((x) => x.toFixed(1)).join(' / ')} after`);
  for (const t of targetRows) console.log(`${t.status === 'met' ? 'met   ' : 'MISSED'} ${t.target.text}: ${t.measured} (goal ${t.goal}; every round: ${t.everyRound})`);
  for (const f of failures) console.log(`failure: ${f}`);
  const guardRows = targetRows.map((t) => ({ scenario: t.target.scenario, metric: t.target.metric, of: t.target.of, ratio: t.median ?? null, goal: t.goal, status: t.status, everyRound: t.everyRound }));
  writeFileSync(join(BENCH_DIR, 'quick.json'), JSON.stringify({ started, seconds, rounds, load: [load0, load1], targets: guardRows, baseline: baselineRows, failures, results }, null, 1));
  console.log('written to bench/quick.json');
  process.exit(0);
}

const shown = argv.filter((a) => a !== '--write').map((a) => (/^[\w,.=-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`));
const command = ['pnpm bench', ...shown].join(' ');
const cpu = os.cpus();
const lines = [];
lines.push('# Benchmark results', '');
if (note) lines.push(`> **Note:** ${note}`, '');
lines.push(
  `Command: \`${command}\` (from the repository root; it builds packages/core first).`,
  '',
  `Made ${started.toISOString()} in ${(seconds / 60).toFixed(1)} min: ${rounds} round${rounds > 1 ? 's' : ''}, ` +
    `${chosen.length} scenarios × 3 servers per round (server order rotating by round${quick ? '' : ', one unrecorded warm-up measurement per server first'}), each measurement on a fresh server process; ` +
    `${quick ? 'quick durations (0.3 s warm-up, 1 s measured)' : '0.75 s warm-up, 2.5 s measured'} per throughput measurement.`,
  '',
  `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; ` +
    `${HAVE_TASKSET ? 'server pinned to core 0, load generator to core 1 (taskset)' : 'no taskset: processes not pinned'}; ulimit -n ${FD_LIMIT}. ` +
    `Load average before ${load0.map((x) => x.toFixed(1)).join(' / ')}, after ${load1.map((x) => x.toFixed(1)).join(' / ')}.`,
  '',
  'Servers: **ours** = `@sockjs-server/core` (packages/core/dist), **sockjs 0.3.24** = npm `sockjs`, ' +
    '**limit** = raw `ws` echo/broadcast without SockJS framing (WebSocket scenarios) or a bare `node:http` server ' +
    'answering the same URLs with `o\\n` and `a[...]\\n` only (HTTP scenarios). Values: median (min–max) over rounds; ' +
    'ratios are computed within each round, then summarised the same way. See README.md for the method.',
  '',
);
for (const n of notes) lines.push(`Note: ${n}.`, '');
lines.push('## Targets', '', 'Status judges the median round; "every round" says whether the worst round met the goal too.', '');
lines.push('| Target | Measured (ours) | Goal | Status | Every round |', '| --- | --- | --- | --- | --- |');
for (const t of targetRows) lines.push(`| ${t.target.text} | ${t.measured} | ${t.goal} | ${t.status} | ${t.everyRound} |`);
if (baseline) {
  lines.push('', `## Ours ÷ baseline (\`${baseline}\`), same rounds`, '', '| Scenario | Metric | ours ÷ baseline |', '| --- | --- | ---: |');
  for (const b of baselineRows) lines.push(`| \`${b.scenario}\` | ${METRICS[b.metric].label} (${METRICS[b.metric].higher ? 'higher' : 'lower'} is better) | ${fmtRange(b.ratio, fmtRatio)} |`);
}
lines.push('', '![ratios](ratios.svg)', '', '## All results', '');
lines.push('| Scenario | Metric | ours | sockjs 0.3.24 | limit | ours / limit | sockjs / limit | ours / sockjs |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
let previous = null;
for (const r of rows) {
  const name = r.scenario === previous ? '' : `${r.scenario.title} \`${r.scenario.id}\``;
  previous = r.scenario;
  lines.push(`| ${name} | ${METRICS[r.metric].label} | ${r.ours} | ${r.sockjs} | ${r.limit} | ${r.oursLimit} | ${r.sockjsLimit} | ${r.oursSockjs} |`);
}
lines.push('');
if (failures.length) {
  lines.push('## Failures and errors', '');
  for (const f of failures) lines.push(`- ${f}`);
  lines.push('');
}
const markdown = lines.join('\n');

const chart = chosen.map((s) => ({
  label: s.title.replace(/ \(\+ xhr_send\)/, ''),
  metric: s.primary,
  higher: METRICS[s.primary].higher,
  ours: ratioSummary(s.id, s.primary, 'ours', 'limit'),
  sockjs: ratioSummary(s.id, s.primary, 'sockjs', 'limit'),
  target: TARGETS.find((t) => t.scenario === s.id && t.metric === s.primary && t.of === 'limit')?.value,
}));
const svg = renderSvg(chart, `SockJS servers ÷ limit (same round, median; whiskers min–max), ${started.toISOString().slice(0, 10)}`);

const outDir = write ? BENCH_DIR : join(BENCH_DIR, 'out');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, write ? 'RESULTS.md' : 'RESULTS-quick.md'), markdown);
writeFileSync(join(outDir, write ? 'ratios.svg' : 'ratios-quick.svg'), svg);
writeFileSync(join(outDir, write ? 'results.json' : 'results-quick.json'), JSON.stringify({ started, command, rounds, quick, notes, failures, results, kinds: KIND_LABEL }, null, 1));
console.log(`\n${markdown}`);
console.log(`written to ${outDir}`);
