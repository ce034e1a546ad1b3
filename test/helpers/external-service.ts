// Real services for the cluster tests (Debian's redis-server and haproxy),
// each started by the test on a loopback port of its own and stopped by it:
// never a system service, never a fixed port. Without the binary the test
// skips locally and says why; in CI (CI=true) a missing binary is a failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** Why a test must skip for want of `binary`, or false when it is installed. In CI a missing binary throws instead. */
export function missingBinary(binary: string): string | false {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
  if (found) return false;
  const why = `${binary} is not installed (apt-get install -y ${binary}); .ci/run installs it`;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

/** A loopback port that was free a moment ago (services that cannot bind port 0 and report it need one chosen for them). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port from the probe listener');
  return address.port;
}

export interface RunningProcess {
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

/** Resolves once something accepts TCP connections on the loopback `port`; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await delay(50);
  }
}

/**
 * Spawns `command` and resolves once it is ready: when its output matches
 * `ready`, or when it accepts connections on the port `ready` names.
 */
export async function startProcess(command: string, args: string[], ready: RegExp | { port: number }, timeoutMs = 10_000): Promise<RunningProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not become ready in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (ready instanceof RegExp && ready.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    if (!(ready instanceof RegExp)) {
      waitForPort(ready.port, timeoutMs).then(() => {
        clearTimeout(timer);
        resolve();
      }, reject);
    }
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code ?? signal}) before it was ready:\n${out}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const escalate = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(escalate);
  };
  return { child, output: () => out, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
