import { type CommentDraft, encodeItem } from '../protocol/comment.js';
import type { Delivery } from './broker.js';
import { SEPARATOR, decodeMessage, encodeMessage, itemAroundSeq, priorityFlags } from './redis-message.js';

const draft = (overrides: Partial<CommentDraft> = {}): CommentDraft => ({
  id: 'id-1',
  room: 'r',
  text: 'hello',
  color: '#ffffff',
  mode: 'scroll',
  ts: 1700000000000,
  priority: false,
  ...overrides,
});

function decode(message: string): Delivery[] {
  const out: Delivery[] = [];
  decodeMessage(message, (delivery) => out.push(delivery));
  return out;
}

describe('Redis message codec', () => {
  it.each([
    draft(),
    draft({ text: ',"seq":0, tricky "quotes" and \\ backslashes', user: 'u,"seq":0,' }),
    draft({ room: '默认房间', text: '前方高能 🎉' }),
    draft({ room: null }),
  ])('splits an item around its seq so that head + seq + tail is encodeItem (%#)', (d) => {
    const [head, tail] = itemAroundSeq(d);
    for (const seq of [1, 42, 9007199254740]) expect(`${head}${seq}${tail}`).toBe(encodeItem(d, seq));
  });

  it('decodes what the publish script sends: room, consecutive seqs, priority flags, items verbatim', () => {
    const items = ['{"a":1}', '{"b":"x\\u001ey"}', '{"c":3}'];
    const message = ['room 1', '41', '010', ...items].join(SEPARATOR);
    expect(decode(message)).toEqual([
      { room: 'room 1', json: items[0], priority: false, seq: 41 },
      { room: 'room 1', json: items[1], priority: true, seq: 42 },
      { room: 'room 1', json: items[2], priority: false, seq: 43 },
    ]);
  });

  it('carries go-push items without seq, and broadcasts without a Delivery seq', () => {
    expect(decode(encodeMessage('r', ['{"x":\n 1}', '"two"']))).toEqual([
      { room: 'r', json: '{"x":\n 1}', priority: false, seq: undefined },
      { room: 'r', json: '"two"', priority: false, seq: undefined },
    ]);
    expect(decode(['', '7', '1', '{"b":1}'].join(SEPARATOR))).toEqual([{ room: null, json: '{"b":1}', priority: true, seq: undefined }]);
  });

  it('writes priority flags only when some item has priority', () => {
    expect(priorityFlags([false, false])).toBe('');
    expect(priorityFlags([false, true])).toBe('01');
  });
});
