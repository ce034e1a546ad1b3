// sockjs-node's `require('sockjs/lib/transport')`, served by core's legacy facade.
export { Session, SockJSConnection, Transport } from '@sockjs-server/core/lib/transport';
