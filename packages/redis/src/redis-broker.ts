import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import type { Broker } from '@sockjs-server/core';
import { CLAIM, RELEASE, RELEASE_NODE } from './scripts.js';

/** The part of a `redis` client this broker uses; `createClient()` of `redis` 5 or 6 gives it. */
export interface RedisClientLike {
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  duplicate(): RedisClientLike;
  sendCommand<T = unknown>(args: readonly string[]): Promise<T>;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  close(): Promise<void>;
  on(event: 'ready' | 'end' | 'reconnecting' | 'error', listener: (...args: unknown[]) => void): unknown;
}

export interface RedisBrokerOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. @default 'redis://127.0.0.1:6379' */
  readonly url?: string;
  /**
   * A client made by the application (`createClient()` of `redis`), not yet
   * connected; a duplicate of it subscribes. Its options are the
   * application's: keep `disableOfflineQueue: true`, or a node waits on an
   * outage instead of falling back to single-node work.
   */
  readonly client?: RedisClientLike;
  /** Prefix of the broker's own keys; the cluster's `namespace`. @default 'sockjs' */
  readonly namespace?: string;
  /** Called with the errors the clients report while reconnecting (they are not thrown). */
  readonly onError?: (error: unknown) => void;
}

/** Longest wait between two reconnection attempts: the cluster recovers within this of Redis coming back. */
const MAX_RECONNECT_DELAY_MS = 1000;

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');

/**
 * A `Broker` on Redis: one connection for commands and publishes, one for
 * subscriptions. Commands fail at once while Redis is unreachable (no offline
 * queue); both connections come back by themselves, and the subscriptions
 * with them.
 */
export class RedisBroker implements Broker {
  readonly #commands: RedisClientLike;
  readonly #subscriber: RedisClientLike;
  readonly #namespace: string;
  readonly #listeners: Array<(available: boolean) => void> = [];
  readonly #connected: Promise<void>;
  #available = false;
  #closed = false;

  constructor(options: RedisBrokerOptions = {}) {
    this.#commands =
      options.client ??
      (createClient({
        url: options.url ?? 'redis://127.0.0.1:6379',
        disableOfflineQueue: true,
        socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) },
      }) as unknown as RedisClientLike);
    this.#subscriber = this.#commands.duplicate();
    this.#namespace = options.namespace ?? 'sockjs';
    const onError = options.onError ?? (() => {});
    for (const client of [this.#commands, this.#subscriber]) {
      // Without an 'error' listener the client's errors would crash the process.
      client.on('error', onError);
      client.on('ready', () => this.#update());
      client.on('end', () => this.#update());
      client.on('reconnecting', () => this.#update());
    }
    this.#connected = Promise.all([this.#commands.connect(), this.#subscriber.connect()]).then(() => this.#update());
    this.#connected.catch(onError);
  }

  /** Resolves once both connections are up for the first time. */
  get connected(): Promise<void> {
    return this.#connected;
  }

  get available(): boolean {
    return this.#available;
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.#commands.publish(channel, message);
  }

  subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    return this.#subscriber.subscribe(channel, listener);
  }

  unsubscribe(channel: string): Promise<void> {
    return this.#subscriber.unsubscribe(channel);
  }

  async claim(key: string, node: string): Promise<string | null> {
    const held = await this.#script(CLAIM, [key, this.#nodeSet(node)], [node]);
    return typeof held === 'string' ? held : null;
  }

  async owner(key: string): Promise<string | null> {
    const held = await this.#commands.sendCommand<string | null>(['GET', key]);
    return typeof held === 'string' ? held : null;
  }

  async release(key: string, node: string): Promise<void> {
    await this.#script(RELEASE, [key, this.#nodeSet(node)], [node]);
  }

  async releaseNode(node: string): Promise<void> {
    await this.#script(RELEASE_NODE, [this.#nodeSet(node)], [node]);
  }

  onAvailabilityChange(listener: (available: boolean) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([this.#commands.close(), this.#subscriber.close()]);
    this.#update();
  }

  #nodeSet(node: string): string {
    return `${this.#namespace}:n:${node}`;
  }

  /** EVALSHA, loading the script the first time this Redis (or a restarted one) sees it. */
  async #script(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.#commands.sendCommand(['EVALSHA', sha1(script), ...tail]);
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error;
      return this.#commands.sendCommand(['EVAL', script, ...tail]);
    }
  }

  #update(): void {
    const available = !this.#closed && this.#commands.isReady && this.#subscriber.isReady;
    if (available === this.#available) return;
    this.#available = available;
    for (const listener of this.#listeners) listener(available);
  }
}
