import { freePort, startProcess, type RunningProcess } from './external-service.ts';

export interface RunningRedis {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /** Kills it with SIGKILL (an outage, not a shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A throwaway redis-server on a loopback port: no persistence, no protected-mode surprises. */
export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'];
  const launch = () => startProcess('redis-server', args, /Ready to accept connections/);
  let running: RunningProcess | undefined = await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      await running?.kill();
      running = undefined;
    },
    async restart() {
      await running?.stop();
      running = await launch();
    },
    async stop() {
      await running?.stop();
      running = undefined;
    },
  };
}
