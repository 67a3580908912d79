import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { MessageDeflater, MessageInflater, MessageTooLargeError } from './zlib-internals.js';

// Pins the zlib handle MessageDeflater and MessageInflater drive against Node's public one-shot functions.

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** A JSON-ish message that repeats itself at every distance, so the window matters. */
function message(items: number): Buffer {
  const parts = Array.from({ length: items }, (_, i) =>
    JSON.stringify({ id: `${i * 7919}`, text: 'abc'.repeat(i % 13) + i, color: i % 5 ? '#ffffff' : '#ffcc00', mode: 'scroll' }),
  );
  return Buffer.from(`{"type":"PUSH","data":{"room":"r","items":[${parts.join(',')}]}}`);
}

const inflate = (deflated: Buffer, windowBits = 15) =>
  zlib.inflateRawSync(Buffer.concat([deflated, TAIL]), { windowBits, finishFlush: zlib.constants.Z_SYNC_FLUSH });
/** Byte equality without a deep compare of every index (slow on big buffers). */
const same = (actual: Buffer, expected: Buffer) => expect(actual.equals(expected), `${actual.length} vs ${expected.length} bytes`).toBe(true);

test.each([
  [1, 15],
  [6, 15],
  [9, 9],
  [6, 12],
])('at level %i, window %i: the same bytes as zlib.deflateRawSync with a sync flush, less the 00 00 ff ff tail', (level, windowBits) => {
  const deflater = new MessageDeflater(level, windowBits);
  for (const input of [message(40), message(3), message(40)]) {
    const expected = zlib.deflateRawSync(input, { level, windowBits, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(expected.subarray(-4)).toEqual(TAIL);
    same(deflater.deflate(input), expected.subarray(0, -4));
  }
});

test('every message inflates on its own: nothing of the previous one is referred to', () => {
  const deflater = new MessageDeflater(6, 15);
  const first = message(20);
  deflater.deflate(first);
  same(inflate(deflater.deflate(first)), first);
});

test('a message that deflates to more than the output buffer comes out whole', () => {
  const noise = randomBytes(300_000);
  const deflated = new MessageDeflater(6, 15).deflate(noise);
  expect(deflated.length).toBeGreaterThan(64 * 1024);
  same(inflate(deflated), noise);
});

test('a 9-bit window stream inflates with an 8-bit window', () => {
  const input = message(400);
  same(inflate(new MessageDeflater(6, 9).deflate(input), 8), input);
});

/** What a client sends: a message deflated with its window, sync flushed, the tail dropped. */
const clientPayload = (input: Buffer, windowBits = 15) =>
  zlib.deflateRawSync(input, { windowBits, finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);

test('inflates, one message after another, what a client deflated with any window, or ended with a final block', () => {
  const inflater = new MessageInflater();
  for (const windowBits of [15, 8, 12]) {
    const input = message(60 + windowBits);
    same(inflater.inflate(clientPayload(input, windowBits)), input);
  }
  const finished = message(10);
  same(inflater.inflate(zlib.deflateRawSync(finished)), finished);
});

test('stops past the limit, and throws on data that does not inflate, then inflates the next message', () => {
  const inflater = new MessageInflater();
  const big = Buffer.alloc(1_000_000, 'a');
  expect(() => inflater.inflate(clientPayload(big), 4096)).toThrow(MessageTooLargeError);
  const exact = Buffer.alloc(4096, 'b');
  same(inflater.inflate(clientPayload(exact), 4096), exact);
  expect(() => inflater.inflate(Buffer.from([0xff, 0xff, 0xff]))).toThrow(expect.objectContaining({ code: 'Z_DATA_ERROR' }));
  const after = message(5);
  same(inflater.inflate(clientPayload(after)), after);
});
