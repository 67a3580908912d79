import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type ClientOptions, WebSocket, WebSocketServer } from 'ws';
import { PushFrameEncoder } from '../batch/push-frame-encoder.js';
import { validateConfig } from '../config/validate-config.js';
import { DanmakuEvents } from '../events/danmaku-events.js';
import type { Connection } from '../connections/connection.js';
import { testConnection } from '../../test/support/connections.js';
import { RoomService } from '../rooms/room.service.js';
import { applyPerMessageDeflate, PER_MESSAGE_DEFLATE } from '../sockets/socket-internals.js';
import { DeliveryTimings } from '../stats/delivery-timings.js';
import { StatsService } from '../stats/stats.service.js';
import { FanOutService } from './fan-out.service.js';

/** Real ws clients of every kind: what they offer, and how many of them join. */
const KINDS: { offer: ClientOptions; count: number }[] = [
  { offer: { perMessageDeflate: false }, count: 6 },
  { offer: {}, count: 6 },
  { offer: { perMessageDeflate: { serverMaxWindowBits: 10 } }, count: 4 },
  // Served by the 9-bit frames.
  { offer: { perMessageDeflate: { serverMaxWindowBits: 8 } }, count: 2 },
  { offer: { perMessageDeflate: { serverMaxWindowBits: 9 } }, count: 2 },
];
/** Deflate windows among them: 15, 10 and 9. */
const WINDOWS = 3;

const batch = (n: number) =>
  Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: `${n}-${i}`, seq: n * 100 + i, room: 'r', text: `batch ${n} item ${i % 5}`, color: '#ffffff', mode: 'scroll', ts: 0 }));

describe.each(['true', 'false'])('FanOutService with NATIVE_WRITES=%s, members of every kind in one room', (nativeWrites) => {
  let server: WebSocketServer;
  let url: string;
  let rooms: RoomService;
  let stats: StatsService;
  let fanOut: FanOutService;
  const encoder = new PushFrameEncoder();
  /** Per client: the messages it decoded. */
  const received = new Map<WebSocket, string[]>();
  const members: Connection[] = [];
  let waiters: (() => void)[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: PER_MESSAGE_DEFLATE });
    applyPerMessageDeflate(server);
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = validateConfig({ NATIVE_WRITES: nativeWrites, SHARDS: '4' });
    rooms = new RoomService(config);
    stats = new StatsService();
    fanOut = new FanOutService(rooms, stats, config, new DanmakuEvents(), new DeliveryTimings());
  });
  afterAll(() => {
    for (const client of received.keys()) client.terminate();
    server.close();
  });

  async function join(offer: ClientOptions): Promise<void> {
    const accepted = once(server, 'connection') as Promise<[WebSocket]>;
    const client = new WebSocket(url, offer);
    received.set(client, []);
    client.on('message', (data) => {
      received.get(client)!.push(data.toString());
      for (const wake of waiters.splice(0)) wake();
    });
    const [[accepting]] = await Promise.all([accepted, once(client, 'open')]);
    const member = testConnection(members.length, accepting, undefined);
    members.push(member);
    rooms.connect(member);
    rooms.join(member, 'r');
  }

  async function everyClientHas(count: number): Promise<void> {
    while ([...received.values()].some((messages) => messages.length < count)) {
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }

  /** Delivers batch n to the room; resolves with the deflate calls it took once every client has it. */
  async function deliver(n: number): Promise<number> {
    const before = stats.deflateCalls;
    const seen = [...received.values()][0].length;
    fanOut.deliver('r', encoder.encode('r', batch(n)));
    // Not written yet (writing starts on the next turn): what overload control reads as the backlog.
    expect(fanOut.oldestWaitMs(performance.now() + 1000)).toBeGreaterThanOrEqual(1000);
    await fanOut.whenDrained();
    expect(fanOut.oldestWaitMs(performance.now())).toBe(0);
    await everyClientHas(seen + 1);
    return stats.deflateCalls - before;
  }

  it('deflates each batch once per window in use, whatever the member count, and every client decodes the same messages', async () => {
    for (const { offer, count } of KINDS) for (let i = 0; i < count; i++) await join(offer);
    expect(rooms.compressedConnectionCount).toBe(14);
    // npm ci builds the addon here: with NATIVE_WRITES=true the native batches are the ones under test.
    expect(stats.fanOutWriter).toBe(nativeWrites === 'true' ? 'native' : 'stream');
    expect(await deliver(1)).toBe(WINDOWS);
    expect(await deliver(2)).toBe(WINDOWS);
    // Twice the members, the same deflate calls per batch.
    for (const { offer, count } of KINDS) for (let i = 0; i < count; i++) await join(offer);
    for (const messages of received.values()) messages.length = 0;
    expect(await deliver(3)).toBe(WINDOWS);

    const expected = `{"type":"PUSH","data":{"room":"r","items":[${batch(3).join(',')}]}}`;
    for (const messages of received.values()) expect(messages).toEqual([expected]);
    expect(stats.framesOut).toBe(20 + 20 + 40);
    expect(stats.bytesOut * 2).toBeLessThan(stats.plainBytesOut);
  });

  it('writes a member its own frame with writeTo (replays), deflating once per message and window', async () => {
    const frames = encoder.encode('r', batch(4));
    const before = stats.deflateCalls;
    const framesBefore = stats.framesOut;
    const now = Date.now();
    for (const member of members) fanOut.writeTo(member, frames, now);
    expect(stats.framesOut - framesBefore).toBe(members.length);
    expect(stats.deflateCalls - before).toBe(WINDOWS);
    await everyClientHas(2);
    const expected = `{"type":"PUSH","data":{"room":"r","items":[${batch(4).join(',')}]}}`;
    for (const messages of received.values()) expect(messages[1]).toBe(expected);
  });

  it('stops a slice in the middle of a shard when its time is up, and goes on from that member on the next turn', async () => {
    // Every member of this room is in one shard (ids 0 to 39 share a run): only a stop
    // inside the shard splits its walk. A clock that moves 10 ms per look ends every slice
    // at its first look (after 32 members), so each frame takes two walks.
    let clock = performance.now();
    const now = vi.spyOn(performance, 'now').mockImplementation(() => (clock += 10));
    const walks = vi.spyOn(fanOut as unknown as { writeAll: () => boolean }, 'writeAll');
    const seen = [...received.values()].map((messages) => messages.length);
    try {
      for (const n of [5, 6, 7]) fanOut.deliver('r', encoder.encode('r', batch(n)));
      await fanOut.whenDrained();
    } finally {
      now.mockRestore();
    }
    expect(walks.mock.results.map((result) => result.value)).toEqual([false, true, false, true, false, true]);
    walks.mockRestore();
    await everyClientHas(seen[0] + 3);
    const pushOf = (n: number) => `{"type":"PUSH","data":{"room":"r","items":[${batch(n).join(',')}]}}`;
    for (const [i, messages] of [...received.values()].entries()) expect(messages.slice(seen[i])).toEqual([pushOf(5), pushOf(6), pushOf(7)]);
  });

  it('reads as backlog the wait of a later handover, not of the messages handed over with the one being written', async () => {
    let clock = performance.now();
    const now = vi.spyOn(performance, 'now').mockImplementation(() => (clock += 10));
    const seen = [...received.values()].map((messages) => messages.length);
    try {
      // One batch tick's rooms, handed over in one turn; the first walk of 8 stops mid-shard.
      for (const n of [8, 9]) fanOut.deliver('r', encoder.encode('r', batch(n)));
      await new Promise((resolve) => setImmediate(resolve));
      expect(fanOut.oldestWaitMs(performance.now() + 1000)).toBe(0);
      // The next tick's: it waits behind what is left of the first handover.
      fanOut.deliver('r', encoder.encode('r', batch(10)));
      expect(fanOut.oldestWaitMs(performance.now() + 1000)).toBeGreaterThanOrEqual(1000);
      await fanOut.whenDrained();
    } finally {
      now.mockRestore();
    }
    expect(fanOut.oldestWaitMs(performance.now())).toBe(0);
    await everyClientHas(seen[0] + 3);
  });
});
