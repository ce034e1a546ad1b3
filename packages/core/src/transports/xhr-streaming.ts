import { CONTENT_TYPE } from '../constants.js';
import type { ReceivingTransport } from './http-receiver.js';

/** 2 KiB of `h` so old browsers start handing the stream to script (5.5). */
const PRELUDE = 'h'.repeat(2048) + '\n';
const wrap = (frame: string) => frame + '\n';

/** `POST /S/X/xhr_streaming` (PROTOCOL.md 5.5). */
export const xhrStreaming: ReceivingTransport = {
  name: 'xhr-streaming',
  contentType: CONTENT_TYPE.JAVASCRIPT,
  cors: 'xhr',
  streaming: true,
  envelope: () => ({ prelude: PRELUDE, wrap }),
};
