// PROTOCOL.md 1.2-1.3: server/session id segments.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { ADAPTERS, assert404, expectXhrPoll, expectXhrSend, newSessionId, useTestServer } from '../helpers/conformance.ts';

for (const adapter of ADAPTERS) {
  describe(`session URLs [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('SessionURLs.test_anyValue', async () => {
      // The random tail keeps ids unique across tests and runs.
      const r = `${randomInt(1_000_000)}${newSessionId().slice(0, 6)}`;
      for (const part of [`/a/a${r}`, `/_/_${r}`, `/1/${r}`, `/abcdefgh_i-j%20/abcdefg_i-j%20${r}`]) {
        await expectXhrPoll(server, `/echo${part}`, 'o\n');
      }
    });

    test('SessionURLs.test_invalidPaths', async () => {
      for (const suffix of ['//', '/a./a', '/a/a.', '/./.', '/', '///']) {
        assert404(await server.get(`/echo${suffix}/xhr`), `GET ${suffix}/xhr: `);
        assert404(await server.post(`/echo${suffix}/xhr`), `POST ${suffix}/xhr: `);
      }
    });

    test('SessionURLs.test_ignoringServerId', async () => {
      const id = newSessionId();
      await expectXhrPoll(server, `/echo/000/${id}`, 'o\n');
      await expectXhrSend(server, `/echo/000/${id}`, '["a"]');
      await expectXhrPoll(server, `/echo/999/${id}`, 'a["a"]\n');
    });

    test('more malformed session paths give 404 (1.3 examples)', async () => {
      for (const path of ['/xhr', '/a/b/c/xhr', '/a/b/xhr//', '/a/b/xhr_send/x']) {
        assert404(await server.post(`/echo${path}`), `POST ${path}: `);
      }
    });

    test('session routes accept one trailing slash (1.2)', async () => {
      const base = `/echo/000/${newSessionId()}`;
      const res = await server.post(`${base}/xhr/`);
      assert.equal(res.text, 'o\n');
      await expectXhrSend(server, base, '["t"]');
      await expectXhrPoll(server, base, 'a["t"]\n');
    });

    test('percent-encoded ids are used as they appear, not decoded (1.3)', async () => {
      const id = newSessionId();
      await expectXhrPoll(server, `/echo/000/${id}%41`, 'o\n');
      // `%41` would decode to `A`; a decoding server would find the session under `<id>A`.
      const res = await server.post(`/echo/000/${id}A/xhr_send`, '["x"]');
      assert404(res, 'decoded id must be a different, unknown session: ');
    });
  });
}
