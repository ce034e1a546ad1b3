import { startHaproxy, type RunningHaproxy } from './haproxy.ts';
import { startRedis, type RunningRedis } from './redis-server.ts';
import { startTestServer, type RunningTestServer } from './test-server.ts';

export interface ClusterStack {
  readonly redis: RunningRedis;
  readonly nodes: readonly RunningTestServer[];
  readonly haproxy: RunningHaproxy;
  /** The balancer: every request of a session may land on any node. */
  readonly baseUrl: string;
  /** The tail of what each node printed: a cluster failure's cause is usually on another process. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * A throwaway Redis, `test/server.mjs --cluster` nodes (one adapter each, so
 * the cluster runs through every kind of mount at once) and HAProxy
 * round-robin in front of them, all on loopback ports of their own.
 */
export async function startClusterStack(adapters: readonly string[] = ['http', 'express5', 'fastify5']): Promise<ClusterStack> {
  const redis = await startRedis();
  const nodes: RunningTestServer[] = [];
  try {
    for (const adapter of adapters) nodes.push(await startTestServer(adapter, ['--cluster', redis.url]));
    const haproxy = await startHaproxy(nodes.map((n) => n.port));
    return {
      redis,
      nodes,
      haproxy,
      baseUrl: haproxy.baseUrl,
      logs: () => nodes.map((n) => `--- ${n.adapter} node ---\n${n.output().slice(-4000)}`).join('\n'),
      async stop() {
        await haproxy.stop();
        await Promise.all(nodes.map((n) => n.stop()));
        await redis.stop();
      },
    };
  } catch (error) {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
    throw error;
  }
}
