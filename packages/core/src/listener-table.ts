import type { EventEmitter } from 'node:events';

/**
 * The listener table of an emitter that lives as long as a session.
 * EventEmitter's own (`{ __proto__: null }`) is a dictionary-mode object:
 * about 200 bytes on Node 20 even empty: a connection's listeners, and the
 * empty table of its WebSocket (whose events go to its owner, not to listeners).
 * An instance of this class is a fast object of a few fields. Its prototype
 * has no prototype, so no event name finds an inherited property
 * (`toString`, `__proto__`): the shape Node's own streams use for theirs.
 */
function ListenerTable(): void {}
ListenerTable.prototype = Object.create(null) as object;

/** Gives `emitter` a fast listener table; only while it has no listener yet, so none is lost. */
export function useFastListenerTable(emitter: EventEmitter): void {
  const internals = emitter as unknown as { _events: object; _eventsCount: number };
  if (internals._eventsCount === 0) internals._events = new (ListenerTable as unknown as new () => object)();
}
