// Preloaded into a server by gc.mjs (`--import`): counts the HTTP requests it
// serves (bench control URLs excepted) and prints the count when the runner
// stops it, so the GC trace can be read per request.
import http from 'node:http';

let requests = 0;
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, ...rest) {
  if (event === 'request' && !req.url.startsWith('/__bench')) requests++;
  return emit.call(this, event, req, ...rest);
};
process.prependListener('SIGTERM', () => console.error(`REQUESTS ${requests}`));
