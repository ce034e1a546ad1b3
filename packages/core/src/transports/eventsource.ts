import { CONTENT_TYPE } from '../constants.js';
import { escapeEventSourceData } from '../framing.js';
import type { Envelope, ReceivingTransport } from './http-receiver.js';

const wrap = (frame: string) => `data: ${escapeEventSourceData(frame)}\r\n\r\n`;

/** The same for every request, so none allocates one. */
const ENVELOPE: Envelope = { prelude: '\r\n', wrap };

/** `GET /S/X/eventsource` (PROTOCOL.md 5.6). */
export const eventSource: ReceivingTransport = {
  name: 'eventsource',
  contentType: CONTENT_TYPE.EVENT_STREAM,
  cors: 'eventsource',
  streaming: true,
  envelope: () => ENVELOPE,
};
