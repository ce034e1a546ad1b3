// Starts an example the way its README says (`node server.js` in its
// directory) on a free port and waits for the URL it prints.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface RunningExample {
  /** e.g. `http://127.0.0.1:40123` (no trailing slash) */
  readonly baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

export function startExample(name: string): Promise<RunningExample> {
  return startServerProcess(`example ${name}`, `${EXAMPLES_DIR}${name}`, ['server.js']);
}

/** Runs `node …args` in `cwd` (PORT=0, HOST=127.0.0.1) and waits for the `http://127.0.0.1:<port>` it prints. */
export async function startServerProcess(name: string, cwd: string, args: readonly string[]): Promise<RunningExample> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = once(child, 'exit');
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} printed no URL within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', check);
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${String(code)}:\n${out}`));
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
