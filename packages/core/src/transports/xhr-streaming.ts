import { CONTENT_TYPE } from '../constants.js';
import type { Envelope, ReceivingTransport } from './http-receiver.js';

/** 2 KiB of `h` so old browsers start handing the stream to script (5.5). */
const PRELUDE = 'h'.repeat(2048) + '\n';
const wrap = (frame: string) => frame + '\n';

/** The same for every request, so none allocates one. */
const ENVELOPE: Envelope = { prelude: PRELUDE, wrap };

/** `POST /S/X/xhr_streaming` (PROTOCOL.md 5.5). */
export const xhrStreaming: ReceivingTransport = {
  name: 'xhr-streaming',
  contentType: CONTENT_TYPE.JAVASCRIPT,
  cors: 'xhr',
  streaming: true,
  envelope: () => ENVELOPE,
};
