// @sockjs-server/prometheus: the text prom-client really serves, scraped
// after real sessions on every transport and a refused request.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { Cluster, MemoryBroker, TRANSPORTS, createServer } from '@sockjs-server/core';
import { registerSockJSMetrics } from '@sockjs-server/prometheus';
import { PREFIX, request, sessionPath, startServer, waitUntil } from '../helpers/security-harness.ts';
import { openScripted } from '../helpers/scripted-sessions.ts';

/** `name{labels} value` lines of a scrape, by the part before the value. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    found.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return found;
}

const service = `service="${PREFIX}"`;

describe('@sockjs-server/prometheus', () => {
  test('a scrape after one session per transport lists every count, by service, transport and reason', async (t) => {
    const srv = await startServer(t, { heartbeat_delay: 60_000, allowedOrigins: ['https://app.example.com'] });
    const registry = registerSockJSMetrics(srv.sockjs, { registry: new Registry() });
    const sessions = await Promise.all(TRANSPORTS.map((transport) => openScripted(t, srv.port, PREFIX, transport)));
    assert.equal((await request(srv.port, { path: `${PREFIX}/info`, headers: { Origin: 'https://evil.example' } })).status, 403);

    const open = samples(await registry.metrics());
    for (const transport of TRANSPORTS) assert.equal(open.get(`sockjs_sessions_open{${service},transport="${transport}"}`), 1, transport);
    assert.equal(open.get(`sockjs_sessions_opened_total{${service}}`), TRANSPORTS.length);
    assert.equal(open.get(`sockjs_sessions_closed_total{${service}}`), 0);
    assert.equal(open.get(`sockjs_messages_received_total{${service}}`), TRANSPORTS.length);
    assert.equal(open.get(`sockjs_messages_sent_total{${service}}`), TRANSPORTS.length);
    assert.equal(open.get(`sockjs_requests_refused_total{${service},reason="origin"}`), 1);
    assert.equal(open.get(`sockjs_requests_refused_total{${service},reason="auth"}`), 0);

    await Promise.all(sessions.map((s) => s.close()));
    await waitUntil(() => srv.sockjs.stats().sessions.closed === TRANSPORTS.length, 5000, 'every session to close');
    const text = await registry.metrics();
    assert.match(text, /# TYPE sockjs_sessions_opened_total counter/);
    assert.match(text, /# TYPE sockjs_sessions_open gauge/);
    const done = samples(text);
    for (const transport of TRANSPORTS) assert.equal(done.get(`sockjs_sessions_open{${service},transport="${transport}"}`), 0, transport);
    assert.equal(done.get(`sockjs_sessions_closed_total{${service}}`), TRANSPORTS.length);
    assert.equal(done.get(`sockjs_messages_received_total{${service}}`), 2 * TRANSPORTS.length);
    assert.equal(done.get(`sockjs_received_bytes_total{${service}}`), sessions.reduce((n, s) => n + s.bytesIn, 0));
    assert.equal(done.get(`sockjs_sent_bytes_total{${service}}`), sessions.reduce((n, s) => n + s.bytesOut, 0));
    assert.equal([...done.keys()].some((name) => name.startsWith('sockjs_cluster_')), false, 'no cluster metrics without a cluster');
  });

  test('with a cluster, its counters and gauges are scraped too; a prefix renames every metric', async (t) => {
    const cluster = new Cluster({ broker: new MemoryBroker(), nodeId: 'n1' });
    await cluster.ready;
    const sockjs = createServer({ prefix: PREFIX, cluster });
    t.after(async () => {
      await sockjs.close();
      await cluster.close();
    });
    const registry = registerSockJSMetrics(sockjs, { registry: new Registry(), prefix: 'rt_' });
    sockjs.broadcast('to every node');
    const scraped = samples(await registry.metrics());
    assert.equal(scraped.get('rt_cluster_fanouts_total'), 1);
    assert.equal(scraped.get('rt_cluster_forwarded_requests_total'), 0);
    assert.equal(scraped.get('rt_cluster_broker_errors_total'), 0);
    assert.equal(scraped.get('rt_cluster_broker_available'), 1);
    assert.equal(scraped.get('rt_cluster_peers'), 0);
    assert.equal(scraped.get(`rt_sessions_opened_total{${service}}`), 0);
    assert.equal([...scraped.keys()].some((name) => name.startsWith('sockjs_')), false);
  });

  test('each scrape reads stats() once, not once per metric', async (t) => {
    const srv = await startServer(t);
    let reads = 0;
    const registry = registerSockJSMetrics(
      {
        stats: () => {
          reads++;
          return srv.sockjs.stats();
        },
      },
      { registry: new Registry() },
    );
    reads = 0;
    await registry.metrics();
    assert.equal(reads, 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await request(srv.port, { method: 'POST', path: `${sessionPath()}/xhr` })).body, 'o\n');
    const second = samples(await registry.metrics());
    assert.equal(reads, 2);
    assert.equal(second.get(`sockjs_sessions_open{${service},transport="xhr-polling"}`), 1, 'the second scrape is fresh');
  });
});
