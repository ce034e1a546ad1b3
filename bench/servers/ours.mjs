// This project's server (@sockjs-server/core, built dist): /echo and /broadcast.
import { createServer } from '@sockjs-server/core';
import { startServer } from './common.mjs';

startServer((server) => {
  const echo = createServer({ prefix: '/echo' });
  echo.on('connection', (conn) => {
    conn.on('data', (message) => conn.write(message));
  });
  echo.attach(server);

  const everyone = new Set();
  const broadcast = createServer({ prefix: '/broadcast' });
  broadcast.on('connection', (conn) => {
    everyone.add(conn);
    conn.on('data', (message) => {
      for (const other of everyone) other.write(message);
    });
    conn.on('close', () => everyone.delete(conn));
  });
  broadcast.attach(server);
});
