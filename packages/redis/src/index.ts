import { Cluster, type ClusterOptions } from '@sockjs-server/core';
import { RedisBroker, type RedisBrokerOptions } from './redis-broker.js';

export { RedisBroker, type RedisBrokerOptions, type RedisClientLike } from './redis-broker.js';

export interface RedisClusterOptions extends RedisBrokerOptions, Omit<ClusterOptions, 'broker'> {}

/**
 * This process as one node of a SockJS service spread over any number of
 * processes and machines that share one Redis. Pass it to every service:
 * `createServer({ prefix: '/echo', cluster })`. `await cluster.ready` before
 * listening; `await server.close()` and then `await cluster.close()` to leave.
 */
export function createRedisCluster(options: RedisClusterOptions = {}): Cluster {
  const { url, client, onError, ...cluster } = options;
  const namespace = options.namespace ?? 'sockjs';
  return new Cluster({ ...cluster, namespace, broker: new RedisBroker({ url, client, namespace, onError }) });
}
