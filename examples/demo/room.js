// The chat room: who is here (and over which transport), the recent
// history, and the messages of the little JSON protocol the page speaks.
// Framework-free, so any SockJS mount can host it.
//
// client → server  {type:'join', name, transport}  {type:'say', text}  {type:'ping', id}
// server → client  {type:'welcome', you, users, history}  {type:'presence', users}
//                  {type:'said', from, text, at}  {type:'pong', id}  {type:'error', message}

const MAX_NAME = 24;
const MAX_TEXT = 2000;
const HISTORY = 50;

function clean(value, max) {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

export class ChatRoom {
  /** @type {Map<import('@sockjs-server/core').Connection, {id: string, name: string, transport: string}>} */
  #members = new Map();
  #history = [];
  #nextGuest = 1;

  /** Hands a new SockJS connection to the room. */
  add(conn) {
    conn.on('data', (raw) => this.#receive(conn, raw));
    conn.on('close', () => {
      if (this.#members.delete(conn)) this.#broadcastPresence();
    });
  }

  get size() {
    return this.#members.size;
  }

  #receive(conn, raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return send(conn, { type: 'error', message: 'expected JSON' });
    }
    switch (message?.type) {
      case 'ping':
        // Answered straight away: the page measures the SockJS round trip.
        return send(conn, { type: 'pong', id: message.id });
      case 'join':
        return this.#join(conn, message);
      case 'say':
        return this.#say(conn, message);
      default:
        return send(conn, { type: 'error', message: `unknown message type ${JSON.stringify(message?.type)}` });
    }
  }

  #join(conn, { name, transport }) {
    const known = this.#members.get(conn);
    const member = {
      id: known?.id ?? conn.id,
      name: clean(name, MAX_NAME) || known?.name || `guest-${this.#nextGuest++}`,
      // The page knows its transport best (the server sees iframe-eventsource
      // as eventsource); conn.protocol is the fallback.
      transport: clean(transport, 40) || conn.protocol,
    };
    this.#members.set(conn, member);
    if (!known) send(conn, { type: 'welcome', you: member, users: this.#users(), history: this.#history });
    this.#broadcastPresence();
  }

  #say(conn, { text }) {
    const from = this.#members.get(conn);
    // Sent as typed (no trim): only blank messages are dropped.
    const body = typeof text === 'string' ? text.slice(0, MAX_TEXT) : '';
    if (!from) return send(conn, { type: 'error', message: 'join first' });
    if (!body.trim()) return;
    const said = { type: 'said', from: { id: from.id, name: from.name }, text: body, at: Date.now() };
    this.#history.push(said);
    if (this.#history.length > HISTORY) this.#history.shift();
    this.#broadcast(said);
  }

  #users() {
    return [...this.#members.values()];
  }

  #broadcastPresence() {
    this.#broadcast({ type: 'presence', users: this.#users() });
  }

  #broadcast(message) {
    const frame = JSON.stringify(message);
    for (const conn of this.#members.keys()) conn.write(frame);
  }
}

function send(conn, message) {
  conn.write(JSON.stringify(message));
}
