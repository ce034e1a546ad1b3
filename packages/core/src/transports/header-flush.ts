import type { ServerResponse } from 'node:http';

let waiting: ServerResponse[] = [];

function flushWaiting(): void {
  const responses = waiting;
  waiting = [];
  for (const res of responses) if (!res.writableEnded && !res.destroyed) res.flushHeaders();
}

/**
 * Sends the status and headers of a response that has no body yet at the end
 * of this turn of the event loop (after every I/O callback of the turn), in
 * one immediate for all such responses. A waiting poll still gets its headers
 * at once (PROTOCOL.md 5: no timer, no waiting for a frame), but a frame that
 * arrives in the same turn — usually from the xhr_send the client issued
 * together with the poll — leaves in the same write as the headers: one
 * system call for the answer instead of two.
 */
export function flushHeadersThisTurn(res: ServerResponse): void {
  if (waiting.push(res) === 1) setImmediate(flushWaiting);
}
