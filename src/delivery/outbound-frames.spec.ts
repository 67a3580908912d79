import zlib from 'node:zlib';
import { StatsService } from '../stats/stats.service.js';
import { FrameDeflater } from './frame-deflater.js';
import { OutboundFrames } from './outbound-frames.js';

/** The header fields and payload of one unmasked server frame. */
function parseFrame(frame: Buffer) {
  const short = frame[1] & 0x7f;
  const offset = short === 126 ? 4 : short === 127 ? 10 : 2;
  const length = short === 126 ? frame.readUInt16BE(2) : short === 127 ? Number(frame.readBigUInt64BE(2)) : short;
  expect(frame.length).toBe(offset + length);
  return { fin: frame[0] >> 7, rsv1: (frame[0] >> 6) & 1, opcode: frame[0] & 0x0f, payload: frame.subarray(offset) };
}

const inflate = (payload: Buffer, windowBits: number) =>
  zlib.inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { windowBits, finishFlush: zlib.constants.Z_SYNC_FLUSH });

const items = Array.from({ length: 40 }, (_, i) =>
  JSON.stringify({ id: `${i * 7919}`, seq: i + 1, room: '默认房间', text: `comment ${i % 7} 前方高能`, color: '#ffffff', mode: 'scroll', ts: 1795281419055 + i }),
);
const text = `{"type":"PUSH","data":{"room":"默认房间","items":[${items.join(',')}]}}`;

describe('OutboundFrames', () => {
  let stats: StatsService;
  let deflater: FrameDeflater;
  beforeEach(() => {
    stats = new StatsService();
    deflater = new FrameDeflater(6, stats);
  });

  it('frames the text once, plain', () => {
    const frames = OutboundFrames.of(text);
    expect(parseFrame(frames.plain)).toMatchObject({ fin: 1, rsv1: 0, opcode: 1 });
    expect(parseFrame(frames.plain).payload.toString()).toBe(text);
    expect(frames.forWindow(0, deflater)).toBe(frames.plain);
    expect(stats.deflateCalls).toBe(0);
  });

  it.each([15, 12, 9])('gives a %i-bit window one compressed frame (RSV1) that inflates to exactly the plain payload', (windowBits) => {
    const frames = OutboundFrames.of(text);
    const frame = frames.forWindow(windowBits, deflater);
    const { fin, rsv1, opcode, payload } = parseFrame(frame);
    expect({ fin, rsv1, opcode }).toEqual({ fin: 1, rsv1: 1, opcode: 1 });
    // Inflated with a window no bigger than the one negotiated (8 bits for the 9-bit frame).
    expect(inflate(payload, windowBits === 9 ? 8 : windowBits).equals(parseFrame(frames.plain).payload)).toBe(true);
    expect(payload.length * 3).toBeLessThan(text.length);
    expect(frames.forWindow(windowBits, deflater)).toBe(frame);
    expect(stats.deflateCalls).toBe(1);
  });

  it('keeps a message made uncompressed plain for every window', () => {
    const frames = OutboundFrames.uncompressed('{"type":"ONLINE","data":{"room":"r","online":3}}');
    expect(frames.forWindow(15, deflater)).toBe(frames.plain);
    expect(stats.deflateCalls).toBe(0);
  });
});
