import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

/** The ways the standard test server can mount SockJS (every adapter × supported framework major); the suites run once per entry. Override with SOCKJS_TEST_ADAPTERS=koa3,fastify5. */
export const ADAPTERS = (process.env.SOCKJS_TEST_ADAPTERS ?? 'http,express4,express5,connect,koa2,koa3,fastify4,fastify5').split(',').filter(Boolean);

export interface RunningTestServer {
  /** e.g. `http://127.0.0.1:40123` (no trailing slash) */
  readonly baseUrl: string;
  readonly port: number;
  readonly adapter: string;
  /** Output the server printed so far (for diagnostics on failure). */
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL: a crash, with no goodbye to anyone. */
  kill(): Promise<void>;
  /** False once the process has exited, for whatever reason. */
  running(): boolean;
}

const serverScript = fileURLToPath(new URL('../server.mjs', import.meta.url));

/** Starts `node test/server.mjs --port 0 --adapter <adapter>` and waits for its `listening on` line. */
export async function startTestServer(adapter = 'http', extraArgs: string[] = []): Promise<RunningTestServer> {
  const child: ChildProcess = spawn(process.execPath, [serverScript, '--port', '0', '--adapter', adapter, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`test server did not start:\n${out}`)), 15_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`test server exited with ${code}:\n${out}`));
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    adapter,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
    running: () => child.exitCode === null && child.signalCode === null,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}
