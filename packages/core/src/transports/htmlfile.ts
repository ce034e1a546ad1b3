import { CONTENT_TYPE } from '../constants.js';
import { scriptSafeStringLiteral } from '../framing.js';
import type { ReceivingTransport } from './http-receiver.js';
import { callbackFromQuery } from './callback.js';

const PRELUDE_TEMPLATE = `
<!doctype html>
<html><head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head><body><h2>Don't panic!</h2>
  <script>
    document.domain = document.domain;
    var c = parent.CALLBACK;
    c.start();
    function p(d) {c.message(d);};
    window.onload = function() {c.stop();};
  </script>
`;
/** Safari renders nothing until it has 1 KiB; the padding matches sockjs-node 0.4 byte for byte. */
const PADDING = ' '.repeat(651) + '\r\n\r\n';

const wrap = (frame: string) => `<script>\np(${scriptSafeStringLiteral(frame)});\n</script>\r\n`;

/** `GET /S/X/htmlfile?c=cb` (PROTOCOL.md 5.7). */
export const htmlFile: ReceivingTransport = {
  name: 'htmlfile',
  contentType: CONTENT_TYPE.HTML,
  cors: 'none',
  streaming: true,
  envelope(query) {
    const found = callbackFromQuery(query);
    if ('error' in found) return found.error;
    return { prelude: PRELUDE_TEMPLATE.replace('CALLBACK', found.callback) + PADDING, wrap };
  },
};
