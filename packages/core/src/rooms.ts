import type { Connection } from './connection.js';

const NO_MEMBERS: ReadonlySet<Connection> = new Set();

/**
 * Named groups of one service's connections on this node. In a cluster every
 * node keeps its own members and delivers a room's messages to them, as in
 * socket.io's adapters, so joining and leaving never touch the broker.
 */
export class Rooms {
  readonly #members = new Map<string, Set<Connection>>();
  readonly #roomsOf = new WeakMap<Connection, Set<string>>();

  join(connection: Connection, room: string): void {
    let rooms = this.#roomsOf.get(connection);
    if (rooms === undefined) {
      rooms = new Set();
      this.#roomsOf.set(connection, rooms);
      connection.once('close', () => this.#leaveAll(connection));
    }
    rooms.add(room);
    let members = this.#members.get(room);
    if (members === undefined) this.#members.set(room, (members = new Set()));
    members.add(connection);
  }

  leave(connection: Connection, room: string): void {
    this.#roomsOf.get(connection)?.delete(room);
    const members = this.#members.get(room);
    if (members === undefined) return;
    members.delete(connection);
    if (members.size === 0) this.#members.delete(room);
  }

  members(room: string): ReadonlySet<Connection> {
    return this.#members.get(room) ?? NO_MEMBERS;
  }

  /** The rooms `connection` is in. */
  roomsOf(connection: Connection): ReadonlySet<string> {
    return this.#roomsOf.get(connection) ?? new Set();
  }

  #leaveAll(connection: Connection): void {
    for (const room of this.#roomsOf.get(connection) ?? []) this.leave(connection, room);
    this.#roomsOf.delete(connection);
  }
}
