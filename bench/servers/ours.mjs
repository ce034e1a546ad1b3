// This project's server (@sockjs-server/core, built dist): /echo and /broadcast.
// BENCH_CORE (a dist/index.js path) loads another build instead: `run.mjs --baseline`
// measures a second checkout's core in the same run.
import { pathToFileURL } from 'node:url';
import { startServer } from './common.mjs';

const { createServer } = await import(process.env.BENCH_CORE ? pathToFileURL(process.env.BENCH_CORE).href : '@sockjs-server/core');

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
