// PROTOCOL.md 3.2 and 3.3: server-side JSON escaping and decoding of client escapes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS, assertStatus, expectXhrPoll, expectXhrSend, newSessionPath, useTestServer } from '../helpers/conformance.ts';

/**
 * The suite's `escapable_by_client` set (section 3.3) as inclusive ranges. Its Python
 * source spells the first members `\\\"`, which the regex reads as `"` alone, so U+005C is not in
 * it; that is how the set has the 1093 members the spec counts.
 */
const ESCAPABLE_BY_CLIENT: ReadonlyArray<readonly [number, number]> = [
  [0x0022, 0x0022], [0x0000, 0x001f], [0x007f, 0x009f], [0x00ad, 0x00ad], [0x0600, 0x0604], [0x070f, 0x070f],
  [0x17b4, 0x17b4], [0x17b5, 0x17b5], [0x2000, 0x20ff], [0xfeff, 0xfeff], [0xfff0, 0xffff], [0x0300, 0x0333],
  [0x033d, 0x0346], [0x034a, 0x034c], [0x0350, 0x0352], [0x0357, 0x0358], [0x035c, 0x0362], [0x0374, 0x0374],
  [0x037e, 0x037e], [0x0387, 0x0387], [0x0591, 0x05af], [0x05c4, 0x05c4], [0x0610, 0x0617], [0x0653, 0x0654],
  [0x0657, 0x065b], [0x065d, 0x065e], [0x06df, 0x06e2], [0x06eb, 0x06ec], [0x0730, 0x0730], [0x0732, 0x0733],
  [0x0735, 0x0736], [0x073a, 0x073a], [0x073d, 0x073d], [0x073f, 0x0741], [0x0743, 0x0743], [0x0745, 0x0745],
  [0x0747, 0x0747], [0x07eb, 0x07f1], [0x0951, 0x0951], [0x0958, 0x095f], [0x09dc, 0x09dd], [0x09df, 0x09df],
  [0x0a33, 0x0a33], [0x0a36, 0x0a36], [0x0a59, 0x0a5b], [0x0a5e, 0x0a5e], [0x0b5c, 0x0b5d], [0x0e38, 0x0e39],
  [0x0f43, 0x0f43], [0x0f4d, 0x0f4d], [0x0f52, 0x0f52], [0x0f57, 0x0f57], [0x0f5c, 0x0f5c], [0x0f69, 0x0f69],
  [0x0f72, 0x0f76], [0x0f78, 0x0f78], [0x0f80, 0x0f83], [0x0f93, 0x0f93], [0x0f9d, 0x0f9d], [0x0fa2, 0x0fa2],
  [0x0fa7, 0x0fa7], [0x0fac, 0x0fac], [0x0fb9, 0x0fb9], [0x1939, 0x193a], [0x1a17, 0x1a17], [0x1b6b, 0x1b6b],
  [0x1cda, 0x1cdb], [0x1dc0, 0x1dcf], [0x1dfc, 0x1dfc], [0x1dfe, 0x1dfe], [0x1f71, 0x1f71], [0x1f73, 0x1f73],
  [0x1f75, 0x1f75], [0x1f77, 0x1f77], [0x1f79, 0x1f79], [0x1f7b, 0x1f7b], [0x1f7d, 0x1f7d], [0x1fbb, 0x1fbb],
  [0x1fbe, 0x1fbe], [0x1fc9, 0x1fc9], [0x1fcb, 0x1fcb], [0x1fd3, 0x1fd3], [0x1fdb, 0x1fdb], [0x1fe3, 0x1fe3],
  [0x1feb, 0x1feb], [0x1fee, 0x1fef], [0x1ff9, 0x1ff9], [0x1ffb, 0x1ffb], [0x1ffd, 0x1ffd], [0x20d0, 0x20d1],
  [0x20d4, 0x20d7], [0x20e7, 0x20e9], [0x2126, 0x2126], [0x212a, 0x212b], [0x2329, 0x232a], [0x2adc, 0x2adc],
  [0x302b, 0x302c], [0xaab2, 0xaab3], [0xf900, 0xfa0d], [0xfa10, 0xfa10], [0xfa12, 0xfa12], [0xfa15, 0xfa1e],
  [0xfa20, 0xfa20], [0xfa22, 0xfa22], [0xfa25, 0xfa26], [0xfa2a, 0xfa2d], [0xfa30, 0xfa6d], [0xfa70, 0xfad9],
  [0xfb1d, 0xfb1d], [0xfb1f, 0xfb1f], [0xfb2a, 0xfb36], [0xfb38, 0xfb3c], [0xfb3e, 0xfb3e], [0xfb40, 0xfb41],
  [0xfb43, 0xfb44], [0xfb46, 0xfb4e]
];

/** Section 3.2 step 2, restricted to code units ≥ U+00FF as the suite does. */
const ESCAPABLE_BY_SERVER: ReadonlyArray<readonly [number, number]> = [
  [0x0000, 0x001f],
  [0x200c, 0x200f],
  [0x2028, 0x202f],
  [0x2060, 0x206f],
  [0xfff0, 0xffff],
];

const u = (code: number): string => `\\u${code.toString(16).padStart(4, '0')}`;

/** Code units in [from, to] that fall in any of the inclusive ranges. */
function codeUnits(from: number, to: number, ranges: ReadonlyArray<readonly [number, number]>): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) if (ranges.some(([lo, hi]) => i >= lo && i <= hi)) out.push(i);
  return out;
}

for (const adapter of ADAPTERS) {
  describe(`JSON encoding [${adapter}]`, () => {
    const server = useTestServer(adapter);

    test('JSONEncoding.test_xhr_server_encodes', async () => {
      const units = codeUnits(255, 0xffff, ESCAPABLE_BY_SERVER);
      assert.equal(units.length, 44, 'self-check: the 44 characters of 3.2');
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      // Sent raw (UTF-8), not escaped: the server must do the escaping itself.
      await expectXhrSend(server, session, `["${String.fromCharCode(...units)}"]`);
      const res = await server.post(`${session}/xhr`);
      assertStatus(res, 200);
      const received = res.text.trim().slice(2, -1);
      assert.equal(received, `"${units.map(u).join('')}"`);
    });

    test('JSONEncoding.test_xhr_server_decodes', async () => {
      const units = codeUnits(0, 0xffff, ESCAPABLE_BY_CLIENT);
      assert.equal(units.length, 1093, 'self-check: the 1093 characters of 3.3');
      const escaped = `"${units.map(u).join('')}"`;
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      await expectXhrSend(server, session, `[${escaped}]`);
      const res = await server.post(`${session}/xhr`);
      assertStatus(res, 200);
      const received: unknown = JSON.parse(res.text.trim().slice(2, -1));
      assert.equal(received, JSON.parse(escaped));
    });

    test('the worked example of 3.2 is byte-exact', async () => {
      const message = 'a\u2028b\u{1F600}%"\n\u0085';
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      await expectXhrSend(server, session, JSON.stringify([message]));
      const res = await server.post(`${session}/xhr`);
      const expected = Buffer.concat([Buffer.from('a["a\\u2028b\\ud83d\\ude00%\\"\\n'), Buffer.from([0xc2, 0x85]), Buffer.from('"]\n')]);
      assert.deepEqual(res.body, expected);
    });

    test('lone surrogates survive the round trip as lowercase escapes (3.2, 3.3)', async () => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      await expectXhrSend(server, session, '["\\uD800x\\uDFFF\\uDBFF\\u005c"]');
      await expectXhrPoll(server, session, 'a["\\ud800x\\udfff\\udbff\\\\"]\n');
    });

    test('characters outside the escape set go out as raw UTF-8 (3.2)', async () => {
      const message = '\u007f\u009f\u00ad\ufeff\u2070é/';
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      await expectXhrSend(server, session, JSON.stringify([message]));
      await expectXhrPoll(server, session, `a["${message}"]\n`);
    });

    test('invalid UTF-8 in a body is decoded with U+FFFD and sent as \\ufffd (3.2)', async () => {
      const session = newSessionPath('echo');
      await expectXhrPoll(server, session, 'o\n');
      const res = await server.request({ method: 'POST', path: `${session}/xhr_send`, body: Buffer.concat([Buffer.from('["a'), Buffer.from([0xff]), Buffer.from('b"]')]) });
      assertStatus(res, 204);
      await expectXhrPoll(server, session, 'a["a\\ufffdb"]\n');
    });
  });
}
