// The page the transport suite drives. Its script is plain browser JavaScript
// kept in a string: functions compiled by tsx can carry helper calls that do
// not exist inside the page, so tests only call `window.harness` through
// `page.evaluate` with data arguments.

/** What `harness.open` resolves to. */
export interface Opened {
  readonly id: number;
  readonly transport: string;
}

/** A close event as the page saw it. */
export interface Closed {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  /** Transport in use when the session opened, or null if it never opened. */
  readonly transport: string | null;
}

/** The shape of `window.harness`, for typing `page.evaluate` callbacks. */
export interface Harness {
  open(url: string, transport: string): Promise<Opened>;
  echo(id: number, messages: string[], timeoutMs: number): Promise<string[]>;
  closed(id: number, timeoutMs: number): Promise<Closed>;
  close(id: number): void;
}

const script = String.raw`
(function () {
  var socks = {};
  var nextId = 1;
  function entry(id) {
    var e = socks[id];
    if (!e) throw new Error('no socket ' + id);
    return e;
  }
  window.harness = {
    open: function (url, transport) {
      return new Promise(function (resolve, reject) {
        // The client's own per-attempt deadline is about 3 × (300 ms + RTT):
        // too short for an iframe transport that loads a page and the bundle
        // while other tests share the machine, and a missed deadline looks
        // like a broken transport ("All transports failed").
        var sock = new SockJS(url, null, { transports: [transport], timeout: 10000 });
        var id = nextId++;
        var e = { sock: sock, inbox: [], waiters: [], closeInfo: null, closeWaiters: [], transport: null };
        socks[id] = e;
        sock.onopen = function () {
          e.transport = sock.transport;
          resolve({ id: id, transport: sock.transport });
        };
        sock.onmessage = function (m) {
          e.inbox.push(m.data);
          e.waiters.forEach(function (w) { w(); });
        };
        sock.onclose = function (c) {
          e.closeInfo = { code: c.code, reason: c.reason, wasClean: c.wasClean, transport: e.transport };
          e.closeWaiters.forEach(function (w) { w(); });
          e.waiters.forEach(function (w) { w(); });
          if (e.transport === null) resolve({ id: id, transport: null, closed: e.closeInfo });
        };
      }).then(function (r) {
        if (r.transport === null) {
          var err = new Error('closed before open: ' + r.closed.code + ' ' + r.closed.reason);
          err.closeInfo = r.closed;
          throw err;
        }
        return r;
      });
    },
    echo: function (id, messages, timeoutMs) {
      var e = entry(id);
      var start = e.inbox.length;
      messages.forEach(function (m) { e.sock.send(m); });
      return new Promise(function (resolve, reject) {
        var timer = setTimeout(function () {
          reject(new Error('got ' + (e.inbox.length - start) + ' of ' + messages.length + ' echoes within ' + timeoutMs + ' ms'));
        }, timeoutMs);
        function check() {
          if (e.inbox.length - start >= messages.length) {
            clearTimeout(timer);
            resolve(e.inbox.slice(start));
          } else if (e.closeInfo) {
            clearTimeout(timer);
            reject(new Error('closed while waiting for echoes: ' + e.closeInfo.code + ' ' + e.closeInfo.reason));
          }
        }
        e.waiters.push(check);
        check();
      });
    },
    closed: function (id, timeoutMs) {
      var e = entry(id);
      return new Promise(function (resolve, reject) {
        var timer = setTimeout(function () { reject(new Error('no close event within ' + timeoutMs + ' ms')); }, timeoutMs);
        function check() {
          if (e.closeInfo) { clearTimeout(timer); resolve(e.closeInfo); }
        }
        e.closeWaiters.push(check);
        check();
      });
    },
    close: function (id) { entry(id).sock.close(); }
  };
  window.harnessReady = typeof SockJS === 'function';
})();
`;

/** An HTML page that loads the client bundle from `bundleUrl` and defines `window.harness`. */
export function harnessPage(bundleUrl: string): string {
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>sockjs browser harness</title>
<script src="${bundleUrl}"></script>
<script>${script}</script>
</head>
<body></body>
</html>`;
}
