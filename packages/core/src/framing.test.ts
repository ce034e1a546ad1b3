import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  arrayFrameFromQuoted,
  closeFrame,
  escapeEventSourceData,
  frameBytesFromClient,
  quoteMessage,
  rememberClientQuoting,
  singleMessageFrame,
  scriptSafeStringLiteral,
} from './framing.js';

test('quoteMessage matches the worked example of PROTOCOL.md 3.2', () => {
  const message = 'a\u2028b\u{1F600}%"\n\u0085';
  assert.equal(quoteMessage(message), '"a\\u2028b\\ud83d\\ude00%\\"\\n\u0085"');
});

test('quoteMessage escapes every client-unsafe code unit in lowercase and nothing else', () => {
  const ranges: Array<[number, number]> = [
    [0x200c, 0x200f],
    [0x2028, 0x202f],
    [0x2060, 0x206f],
    [0xfff0, 0xffff],
  ];
  let input = '';
  let expected = '';
  for (const [from, to] of ranges) {
    for (let c = from; c <= to; c++) {
      input += String.fromCharCode(c);
      expected += '\\u' + c.toString(16).padStart(4, '0');
    }
  }
  assert.equal(quoteMessage(input), `"${expected}"`);
  for (const untouched of ['\u007f', '\u009f', '\u00ad', '\ufeff', '\u2070', 'é', '/']) {
    assert.equal(quoteMessage(untouched), `"${untouched}"`);
  }
});

test('quoteMessage escapes lone surrogates and control characters', () => {
  assert.equal(quoteMessage('\ud800x\udfff'), '"\\ud800x\\udfff"');
  assert.equal(quoteMessage('\u0000\u001f\t'), '"\\u0000\\u001f\\t"');
  assert.equal(JSON.parse(quoteMessage('\ud800x\udfff')), '\ud800x\udfff');
});

const arrayFrame = (messages: string[]) => arrayFrameFromQuoted(messages.map(quoteMessage));

test('array and close frames have the reference serialisation', () => {
  assert.equal(arrayFrame(['hello', 'x"y']), 'a["hello","x\\"y"]');
  assert.equal(arrayFrame(['x']), 'a["x"]');
  assert.equal(closeFrame(3000, 'Go away!'), 'c[3000,"Go away!"]');
  assert.equal(closeFrame(2010, 'Another connection still open'), 'c[2010,"Another connection still open"]');
});

test('scriptSafeStringLiteral cannot close a script element and decodes to the frame', () => {
  const frame = arrayFrame(['</script><img src=x onerror=alert(1)>&amp;']);
  const literal = scriptSafeStringLiteral(frame);
  assert.doesNotMatch(literal, /[<>&]/);
  assert.equal(JSON.parse(literal), frame);
});

test('escapeEventSourceData escapes only %, CR, LF and NUL', () => {
  assert.equal(escapeEventSourceData('a["k%l"]'), 'a["k%25l"]');
  assert.equal(escapeEventSourceData('x\r\n\0y'), 'x%0D%0A%00y');
  assert.equal(escapeEventSourceData('a["plain"]'), 'a["plain"]');
});

// rememberClientQuoting is only a shortcut: whatever the client sent, the quoting must stay ours, byte for byte.
test("quoteMessage stays canonical after any client spelling of the message", () => {
  for (const [json, message, expected] of [
    ['["plain ascii and \u00e9 raw"]', 'plain ascii and \u00e9 raw', '"plain ascii and \u00e9 raw"'],
    ['"bare"', 'bare', '"bare"'],
    ['["\\u0041"]', 'A', '"A"'],
    ['["\\uD800"]', '\ud800', '"\\ud800"'],
    ['["\\u005c"]', '\\', '"\\\\"'],
    ['["x\u2028"]', 'x\u2028', '"x\\u2028"'],
    ['[ "y"]', 'y', '"y"'],
    ['["z" ]', 'z', '"z"'],
  ] as const) {
    rememberClientQuoting(json, message);
    assert.equal(quoteMessage(message), expected, json);
  }
});

test('singleMessageFrame is one string for a fan-out and follows the message that changes', () => {
  const first = singleMessageFrame('to everyone \u2028');
  assert.equal(first, 'a["to everyone \\u2028"]');
  assert.equal(singleMessageFrame('to everyone \u2028'), first);
  assert.equal(singleMessageFrame('next'), 'a["next"]');
  rememberClientQuoting('["from a client"]', 'from a client');
  assert.equal(singleMessageFrame('from a client'), 'a["from a client"]');
  assert.equal(quoteMessage('other'), '"other"');
  assert.equal(singleMessageFrame('other'), 'a["other"]', 'quoting another message resets the frame');
});

// The WebSocket transport sends these bytes instead of encoding the frame: they must be the frame's UTF-8, byte for byte.
test("frameBytesFromClient is the frame's UTF-8 built from the client's bytes, for that frame only and once", () => {
  for (const [json, message] of [
    ['["caf\u00e9 \u4e2d plain"]', 'caf\u00e9 \u4e2d plain'],
    ['"bare \u00e9"', 'bare \u00e9'],
  ] as const) {
    rememberClientQuoting(json, message, Buffer.from(json, 'utf8'));
    const frame = singleMessageFrame(message);
    assert.deepEqual(frameBytesFromClient(frame), Buffer.from(frame, 'utf8'), json);
    assert.equal(frameBytesFromClient(frame), undefined, 'the bytes are handed out once');
  }
  rememberClientQuoting('["mine"]', 'mine', Buffer.from('["mine"]'));
  assert.equal(frameBytesFromClient('a["other"]'), undefined, 'another frame');
  quoteMessage('something else');
  assert.equal(frameBytesFromClient(singleMessageFrame('something else')), undefined, 'a message quoted by us has no client bytes');
  rememberClientQuoting('["esc\\u0041"]', 'escA', Buffer.from('["esc\\u0041"]'));
  assert.equal(frameBytesFromClient(singleMessageFrame('escA')), undefined, 'a spelling that is not ours is not reused');
  rememberClientQuoting('["\u{1f600}"]', '\u{1f600}', Buffer.from('["\u{1f600}"]'));
  assert.equal(frameBytesFromClient(singleMessageFrame('\u{1f600}')), undefined, 'surrogates: we send them escaped');
  rememberClientQuoting('["no bytes"]', 'no bytes');
  assert.equal(frameBytesFromClient(singleMessageFrame('no bytes')), undefined, 'HTTP bodies give no bytes');
});
