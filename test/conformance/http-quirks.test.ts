// PROTOCOL.md 5: receiving POSTs must not depend on a request body or its length.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS, expectXhrSend, newSessionPath, useTestServer } from '../helpers/conformance.ts';
import { RawHttpConnection } from '../helpers/raw-http.ts';

for (const adapter of ADAPTERS) {
  describe(`HTTP quirks [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('HttpQuirks.test_emptyContentLengthForPost', async () => {
      const session = newSessionPath('echo');
      const request = { method: 'POST', path: `${session}/xhr`, contentLength: false } as const;
      assert.ok(!RawHttpConnection.serialize(request, server.port).toString().toLowerCase().includes('content-length'), 'self-check: no Content-Length sent');
      const res = await server.request(request);
      assert.equal(res.status, 200);
      assert.equal(res.text, 'o\n');
    });

    test('a body on a receiving POST is ignored (5)', async () => {
      const session = newSessionPath('echo');
      const res = await server.request({ method: 'POST', path: `${session}/xhr`, body: '["ignored"]', headers: [['Content-Type', 'text/plain']] });
      assert.equal(res.status, 200);
      assert.equal(res.text, 'o\n');
      await expectXhrSend(server, session, '["real"]');
      const next = await server.post(`${session}/xhr`);
      assert.equal(next.text, 'a["real"]\n');
    });
  });
}
