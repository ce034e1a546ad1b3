// The reference: npm sockjs 0.3.24 (sockjs-node), /echo and /broadcast.
import { createRequire } from 'node:module';
import { startServer } from './common.mjs';

const sockjs = createRequire(import.meta.url)('sockjs');
const quiet = { log: () => {} };

startServer((server) => {
  const echo = sockjs.createServer(quiet);
  echo.on('connection', (conn) => {
    conn.on('data', (message) => conn.write(message));
  });
  echo.installHandlers(server, { prefix: '/echo' });

  const everyone = new Set();
  const broadcast = sockjs.createServer(quiet);
  broadcast.on('connection', (conn) => {
    everyone.add(conn);
    conn.on('data', (message) => {
      for (const other of everyone) other.write(message);
    });
    conn.on('close', () => everyone.delete(conn));
  });
  broadcast.installHandlers(server, { prefix: '/broadcast' });
});
