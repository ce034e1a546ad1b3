// What DefinitelyTyped's types/sockjs/sockjs-tests.ts checks, statement for
// statement: a program typed against @types/sockjs 0.3.36 compiles with the
// project installed as `sockjs`.
import * as http from 'http';
import * as sockjs from 'sockjs';

const options: sockjs.ServerOptions = {};
let server: sockjs.Server = sockjs.createServer();
server = sockjs.createServer(options);

const httpServer: http.Server = http.createServer();
server.installHandlers(httpServer);
server.installHandlers(httpServer, options);

options.sockjs_url = 'http://cdn.example/sockjs-0.3.min.js';
options.prefix = '/prefix';
options.response_limit = 128000;
options.websocket = true;
options.jsessionid = true;
options.jsessionid = () => true;
options.log = (severity: string, message: string) => console.log(severity, message);
options.heartbeat_delay = 25000;
options.disconnect_delay = 5000;

server.on('connection', (conn: sockjs.Connection) => {
  const stream: NodeJS.ReadWriteStream = conn;
  conn.on('data', (message: string) => stream.write(message));
  conn.on('close', () => undefined);
});
