// shoe's own "invert" example server (example/invert/server.js in shoe
// 0.0.15), unchanged but for its static files and its port: every 50 ms it
// writes a 0 or a 1, and it pipes whatever the client sends back to stdout.
// Each connection event is logged so the test can see shoe's cleanup run.
'use strict';
const http = require('node:http');
const shoe = require('shoe');

const server = http.createServer((req, res) => {
  res.statusCode = 404;
  res.end('not found\n');
});

const sock = shoe((stream) => {
  const iv = setInterval(() => {
    stream.write(Math.floor(Math.random() * 2));
  }, 50);

  stream.on('end', () => {
    clearInterval(iv);
    process.stdout.write('[end]\n');
  });
  stream.on('close', () => process.stdout.write('[close]\n'));

  stream.pipe(process.stdout, { end: false });
});
sock.install(server, '/invert');

server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
