import { ReadyState } from './constants.js';
import type { Connection } from './connection.js';

/**
 * Writes `message` to every open connection in `connections` and returns how
 * many that was; closed and closing ones are skipped. The message is
 * JSON-quoted once and every WebSocket recipient is sent the same encoded
 * frame, however many recipients there are: each `write` finds the message in
 * the one-message memo of `framing.ts`, which nothing else replaces while this
 * loop runs (unless a listener called from it writes a different message).
 */
export function broadcast(connections: Iterable<Connection>, message: string): number {
  let reached = 0;
  for (const connection of connections) {
    if (connection.readyState !== ReadyState.OPEN) continue;
    connection.write(message);
    reached++;
  }
  return reached;
}
