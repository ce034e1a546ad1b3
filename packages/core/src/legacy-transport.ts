/**
 * The `./lib/transport` entry: sockjs-node's `require('sockjs/lib/transport')`
 * (LEGACY, see compat/legacy.ts). Loading it is what lets a patched
 * `Session.prototype` take effect.
 */
import { enableLegacySessions } from './compat/legacy.js';

enableLegacySessions();

export { Session, SockJSConnection, Transport } from './compat/legacy.js';
