/**
 * What a cluster needs from the shared store that connects its nodes: an
 * at-most-once publish/subscribe bus that keeps the order of one publisher's
 * messages on one channel, and a key-value map in which one node can claim a
 * key atomically. Redis gives both (`@sockjs-server/redis`); `MemoryBroker`
 * gives both inside one process.
 *
 * Every method may reject while the store is unreachable; implementations
 * reject at once rather than queue, so that a node never waits on an outage
 * (the cluster falls back to single-node work and counts the failure).
 */
export interface Broker {
  /** True while commands and subscriptions work. */
  readonly available: boolean;
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes; after an outage the broker subscribes again by itself before it reports `available`. */
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /**
   * Sets `key` to `node` unless it is set, atomically, and remembers the key
   * under `node` for `releaseNode`. Resolves to the node that already held it,
   * or to null when `node` now does.
   */
  claim(key: string, node: string): Promise<string | null>;
  /** The node holding `key`, or null. */
  owner(key: string): Promise<string | null>;
  /** Deletes `key` if `node` still holds it. */
  release(key: string, node: string): Promise<void>;
  /** Deletes every key `node` still holds: the clean-up after a node is gone. */
  releaseNode(node: string): Promise<void>;
  /** Called with false when the store becomes unreachable and with true once it is back and subscribed again. */
  onAvailabilityChange(listener: (available: boolean) => void): void;
  /** Closes the broker's connections; later calls reject. */
  close(): Promise<void>;
}
