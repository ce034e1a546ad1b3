import type { IncomingMessage } from 'node:http';
import type { Connection } from './connection.js';
import { REFUSAL_REASONS, publishRefused, type RefusalReason } from './diagnostics.js';
import { zeroes } from './stats.js';

/**
 * What one service has done since it was created: plain integers that only
 * grow, bumped on paths that exist anyway (no allocation, no look-up), and
 * read by `stats()` when someone asks. Open sessions are not counted here:
 * the registry knows them, so they cost nothing until read.
 */
export class ServiceCounters {
  /** Sessions (and raw WebSockets) announced to the application. */
  opened = 0;
  /** Announced sessions that have closed since. */
  closed = 0;
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly refused: Record<RefusalReason, number> = zeroes(REFUSAL_REASONS);

  constructor(readonly prefix: string) {}

  /**
   * A request (or an open session, for `bufferOverflow`) was turned away.
   * `code` is the HTTP status answered, or the WebSocket close code sent.
   */
  refuse(reason: RefusalReason, code: number, req?: IncomingMessage, connection?: Connection): void {
    this.refused[reason]++;
    publishRefused(this.prefix, reason, code, req, connection);
  }
}
