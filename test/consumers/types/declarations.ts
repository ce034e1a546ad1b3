// Every declaration of @types/sockjs 0.3.36 used as it declares it, against
// the project installed as `sockjs`; the declarations themselves (installed
// as `dt-sockjs`) are checked to accept ours and ours to accept theirs.
import * as http from 'http';
import * as sockjs from 'sockjs';
import sockjsDefault from 'sockjs';
import type * as DT from 'dt-sockjs';

const options: sockjs.ServerOptions = {
  sockjs_url: undefined,
  prefix: undefined,
  response_limit: undefined,
  websocket: undefined,
  jsessionid: undefined,
  heartbeat_delay: undefined,
  disconnect_delay: undefined,
};
options.jsessionid = JSON.parse('"yes"');
options.log?.('warning', 'any severity string is accepted');
const optionsForDT: DT.ServerOptions = options;
const optionsFromDT: sockjs.ServerOptions = optionsForDT;

const createServer: typeof DT.createServer = sockjs.createServer;
const server: sockjs.Server = sockjsDefault.createServer(optionsFromDT);
const serverForDT: DT.Server = server;
const emitter: NodeJS.EventEmitter = serverForDT;
const installed: unknown = server.installHandlers(http.createServer(), { prefix: '/echo' });
server.on('error', (error: Error) => console.error(error));
// @types/sockjs types other listeners as Function.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const listener: Function = () => undefined;
server.on('anything', listener);
// @ts-expect-error option values keep their types
sockjs.createServer({ prefix: 1 });

server.on('connection', (conn) => {
  const connectionForDT: DT.Connection = conn;
  const connectionFromDT: sockjs.Connection = connectionForDT;
  const stream: NodeJS.ReadWriteStream = connectionFromDT;
  const remoteAddress: string = conn.remoteAddress;
  const remotePort: number = conn.remotePort;
  const local: { address: string; port: number } | undefined = conn.address['ipv4'];
  const headers: { [key: string]: string } = conn.headers;
  const text: string[] = [conn.url, conn.pathname, conn.prefix, conn.protocol, conn.id];
  const readyState: number = conn.readyState;
  // @ts-expect-error readyState is a number
  const notAString: string = conn.readyState;
  const closed: boolean = conn.close('3000', 'Go away') || conn.close() || conn.close(undefined, 'reason');
  conn.on('data', (message: string) => stream.write(message.toUpperCase()));
  conn.on('close', () => undefined);
  conn.on('end', listener);
  const destroyed: void = conn.destroy();
  console.log(remoteAddress, remotePort, local, headers, text, readyState, notAString, closed, destroyed);
});

console.log(createServer, emitter, installed);
