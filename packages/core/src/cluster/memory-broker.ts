import type { Broker } from './broker.js';

/**
 * A broker inside one process: several `Cluster`s on one `MemoryBroker`
 * behave as nodes of one cluster, with the same asynchrony as a networked
 * store (every delivery and answer comes in a later microtask). For tests,
 * and for running several nodes' worth of services in one process.
 */
export class MemoryBroker implements Broker {
  readonly #keys = new Map<string, string>();
  readonly #keysByNode = new Map<string, Set<string>>();
  readonly #subscribers = new Map<string, Set<(message: string) => void>>();
  readonly #availabilityListeners: Array<(available: boolean) => void> = [];
  #available = true;

  get available(): boolean {
    return this.#available;
  }

  /** Simulates an outage (false) and the store coming back (true). */
  setAvailable(available: boolean): void {
    if (available === this.#available) return;
    this.#available = available;
    for (const listener of this.#availabilityListeners) listener(available);
  }

  async publish(channel: string, message: string): Promise<void> {
    this.#check();
    const listeners = this.#subscribers.get(channel);
    if (listeners === undefined) return;
    // Delivered after the publisher's own microtasks, as from a socket; a copy, so a listener may unsubscribe.
    for (const listener of [...listeners]) queueMicrotask(() => this.#available && listener(message));
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    this.#check();
    let listeners = this.#subscribers.get(channel);
    if (listeners === undefined) this.#subscribers.set(channel, (listeners = new Set()));
    listeners.add(listener);
  }

  async unsubscribe(channel: string): Promise<void> {
    this.#subscribers.delete(channel);
  }

  async claim(key: string, node: string): Promise<string | null> {
    this.#check();
    const held = this.#keys.get(key);
    if (held !== undefined) return held;
    this.#keys.set(key, node);
    let keys = this.#keysByNode.get(node);
    if (keys === undefined) this.#keysByNode.set(node, (keys = new Set()));
    keys.add(key);
    return null;
  }

  async owner(key: string): Promise<string | null> {
    this.#check();
    return this.#keys.get(key) ?? null;
  }

  async release(key: string, node: string): Promise<void> {
    this.#check();
    if (this.#keys.get(key) !== node) return;
    this.#keys.delete(key);
    this.#keysByNode.get(node)?.delete(key);
  }

  async releaseNode(node: string): Promise<void> {
    this.#check();
    for (const key of this.#keysByNode.get(node) ?? []) if (this.#keys.get(key) === node) this.#keys.delete(key);
    this.#keysByNode.delete(node);
  }

  onAvailabilityChange(listener: (available: boolean) => void): void {
    this.#availabilityListeners.push(listener);
  }

  async close(): Promise<void> {}

  #check(): void {
    if (!this.#available) throw new Error('broker unavailable');
  }
}
