import { ReadyState } from './constants.js';
import type { Connection } from './connection.js';
import { quoteMessage } from './framing.js';

/**
 * Writes `message` to every open connection in `connections` and returns how
 * many that was; closed and closing ones are skipped. The message is
 * JSON-quoted once and every WebSocket recipient is sent the same encoded
 * frame, however many recipients there are. (A loop of `write` calls shares
 * them too, through a one-message memo, but only while nothing else is
 * written in between.)
 */
export function broadcast(connections: Iterable<Connection>, message: string): number {
  // Seeds the memo that every `write` below reads, before any recipient can miss it.
  quoteMessage(message);
  let reached = 0;
  for (const connection of connections) {
    if (connection.readyState !== ReadyState.OPEN) continue;
    connection.write(message);
    reached++;
  }
  return reached;
}
