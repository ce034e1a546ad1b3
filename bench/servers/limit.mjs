// The physical limits: a raw `ws` server (echo / broadcast without SockJS
// framing: no `o`, no `a[...]`) and a bare node:http server answering the
// SockJS HTTP URLs with the minimum bytes (`o\n`, then `a[...]\n` frames; no
// prelude, no headers beyond Content-Type, no heartbeats, no timers, no
// response limit, no JSON parsing: an xhr_send body `["m"]` becomes the frame
// `a["m"]\n` as is).
import { WebSocketServer } from 'ws';
import { startServer } from './common.mjs';

const JS = { 'content-type': 'application/javascript; charset=UTF-8' };
const sessions = new Map(); // session id -> { stream, poll, queue }

function route(url) {
  // /echo/<server>/<session>/<transport>[?t=...]
  const q = url.indexOf('?');
  const parts = (q === -1 ? url : url.slice(0, q)).split('/');
  return parts.length === 5 ? { session: parts[3], transport: parts[4] } : null;
}

function onRequest(req, res) {
  const r = route(req.url);
  if (r === null || req.method !== 'POST') {
    res.writeHead(404);
    res.end();
    return;
  }
  const { session: id, transport } = r;
  if (transport === 'xhr_streaming') {
    const session = { stream: res, poll: null, queue: null };
    sessions.set(id, session);
    res.writeHead(200, JS);
    res.write('o\n');
    res.on('close', () => {
      if (sessions.get(id) === session) sessions.delete(id);
    });
  } else if (transport === 'xhr') {
    const session = sessions.get(id);
    if (session === undefined) {
      sessions.set(id, { stream: null, poll: null, queue: null });
      res.writeHead(200, JS);
      res.end('o\n');
    } else if (session.queue !== null) {
      res.writeHead(200, JS);
      res.end(`a[${session.queue.join(',')}]\n`);
      session.queue = null;
    } else {
      session.poll = res;
    }
  } else if (transport === 'xhr_send') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const session = sessions.get(id);
      if (session === undefined) {
        res.writeHead(404);
        res.end();
        return;
      }
      if (session.stream !== null) {
        session.stream.write(`a${body}\n`);
      } else if (session.poll !== null) {
        const poll = session.poll;
        session.poll = null;
        poll.writeHead(200, JS);
        poll.end(`a${body}\n`);
      } else {
        (session.queue ??= []).push(body.slice(1, -1));
      }
      res.writeHead(204);
      res.end();
    });
  } else {
    res.writeHead(404);
    res.end();
  }
}

startServer((server) => {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const broadcast = req.url.startsWith('/broadcast/');
    if (!broadcast && !req.url.startsWith('/echo/')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (broadcast) {
        ws.on('message', (data, isBinary) => {
          for (const other of wss.clients) other.send(data, { binary: isBinary });
        });
      } else {
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      }
    });
  });
}, onRequest);
