import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess } from './external-service.ts';

export interface RunningHaproxy {
  /** e.g. `http://127.0.0.1:40123` */
  readonly baseUrl: string;
  stop(): Promise<void>;
}

/**
 * HAProxy in front of `backendPorts` with plain per-request round-robin and
 * no stickiness of any kind: `option http-server-close` closes the server
 * side after every response, so each request of a session may land on
 * another backend. Timeouts are long enough for streaming and long polls.
 */
export async function startHaproxy(backendPorts: readonly number[]): Promise<RunningHaproxy> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sockjs-haproxy-'));
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode http',
      '  option http-server-close',
      '  timeout connect 2s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  timeout tunnel 1h',
      // A killed backend is taken out within a second; a request that cannot connect to it is sent to another.
      '  option redispatch',
      '  retries 3',
      `frontend entry`,
      `  bind 127.0.0.1:${port}`,
      '  default_backend nodes',
      'backend nodes',
      '  balance roundrobin',
      ...backendPorts.map((p, i) => `  server node${i} 127.0.0.1:${p} check inter 500 fall 1 rise 2`),
      '',
    ].join('\n'),
  );
  // -db: stay in the foreground, errors on stderr (a bad config exits at once and fails the start with its message).
  const running = await startProcess('haproxy', ['-db', '-f', config], { port });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
