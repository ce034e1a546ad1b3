import { CONTENT_TYPE } from '../constants.js';
import type { Envelope, ReceivingTransport } from './http-receiver.js';

const wrap = (frame: string) => frame + '\n';

/** The same for every request, so none allocates one. */
const ENVELOPE: Envelope = { wrap };

/** `POST /S/X/xhr` (PROTOCOL.md 5.3): one frame per response. */
export const xhrPolling: ReceivingTransport = {
  name: 'xhr-polling',
  contentType: CONTENT_TYPE.JAVASCRIPT,
  cors: 'xhr',
  streaming: false,
  envelope: () => ENVELOPE,
};
