import type { ServerResponse } from 'node:http';

/**
 * A Set, not a list: under load a turn of the event loop can run tens of
 * thousands of requests (libuv takes up to 48 × 1024 events per poll), and
 * a list would keep every answered poll's response, request and header
 * strings alive until the immediate, long enough to reach the old generation.
 */
let waiting = new Set<ServerResponse>();

function flushWaiting(): void {
  const responses = waiting;
  waiting = new Set();
  for (const res of responses) {
    if (res.writableEnded || res.destroyed) continue;
    res.flushHeaders();
    releaseSentHeader(res);
  }
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
  waiting.add(res);
  if (waiting.size === 1) setImmediate(flushWaiting);
}

/** The response ended or went away before its headers were flushed: nothing is left to send, so nothing holds it. */
export function forgetHeaderFlush(res: object): void {
  waiting.delete(res as ServerResponse);
}

/** Stands in for every sent header block: Node reads `_header` only as "headers were sent" once they were. */
const SENT_HEADER = 'HTTP/1.1 200 OK\r\n\r\n';

/**
 * Node keeps the header block of a response (`_header`, 300 to 500 bytes as
 * the string it concatenated line by line) for the life of the response,
 * but once the block has gone to the socket (`_headerSent`) it only tests
 * that `_header` is set (`headersSent`, `writeHead` and `setHeader` refusing,
 * `end`). A streaming or waiting response lives as long as its session, so it
 * drops its copy for one shared string: about 330 bytes less per idle
 * xhr-streaming session (bench/heap.mjs, 2000 sessions).
 */
export function releaseSentHeader(res: ServerResponse): void {
  const internals = res as ServerResponse & { _header?: unknown; _headerSent?: unknown };
  if (internals._headerSent === true && typeof internals._header === 'string') internals._header = SENT_HEADER;
}
