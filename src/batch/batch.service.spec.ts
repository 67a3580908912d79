import type { WebSocket } from 'ws';
import { MemoryBroker } from '../broker/memory-broker.js';
import type { DanmakuConfig } from '../config/danmaku-config.js';
import { validateConfig } from '../config/validate-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { DanmakuEvents } from '../events/danmaku-events.js';
import type { CommentDraft } from '../protocol/comment.js';
import { testConnection } from '../../test/support/connections.js';
import { RoomService } from '../rooms/room.service.js';
import { DeliveryTimings } from '../stats/delivery-timings.js';
import { StatsService } from '../stats/stats.service.js';
import { BatchService } from './batch.service.js';
import { PushFrameEncoder } from './push-frame-encoder.js';

/** A member whose kernel socket is replaced by a recorder of what was written to it. */
function recordingMember(id: number) {
  const writes: Buffer[] = [];
  const socket = { writableLength: 0, write: (frame: Buffer) => writes.push(frame) };
  const ws = { readyState: 1, _socket: socket } as unknown as WebSocket;
  return { member: testConnection(id, ws, undefined), writes };
}

/** The PUSH frames a recorded member received, decoded (server frames are unmasked text). */
function pushes(writes: Buffer[]): { room: string | null; items: any[] }[] {
  return writes.map((frame) => {
    const length = frame[1] & 0x7f;
    const offset = length === 126 ? 4 : length === 127 ? 10 : 2;
    return JSON.parse(frame.subarray(offset).toString()).data;
  });
}

let nextId = 0;
const draft = (room: string, text: string, priority = false): CommentDraft => ({
  id: `id${nextId++}`,
  room,
  text,
  color: '#ffffff',
  mode: 'scroll',
  ts: 0,
  priority,
});

describe('BatchService', () => {
  let config: DanmakuConfig;
  let rooms: RoomService;
  let broker: MemoryBroker;
  let encoder: PushFrameEncoder;
  let stats: StatsService;
  let timings: DeliveryTimings;
  let batches: BatchService;

  function start(env: Record<string, string> = {}) {
    config = validateConfig({ BATCH_WINDOW_MS: '200', BATCH_MAX_ITEMS: '100', ...env });
    rooms = new RoomService(config);
    broker = new MemoryBroker(config);
    encoder = new PushFrameEncoder();
    stats = new StatsService();
    timings = new DeliveryTimings();
    const fanOut = new FanOutService(rooms, stats, config, new DanmakuEvents(), timings);
    batches = new BatchService(broker, fanOut, encoder, rooms, stats, timings, config);
    batches.onModuleInit();
  }

  function viewer(room: string, id = nextId++) {
    const recorded = recordingMember(id);
    rooms.join(recorded.member, room);
    return recorded;
  }

  const publish = (room: string, ...texts: string[]) => broker.publish(room, texts.map((t) => draft(room, t)));
  const microtasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));
  const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** Lets queued work run: microtasks (leading edge), then the fan-out's setImmediate. */
  const settle = async () => {
    await microtasks();
    await immediate();
  };
  /** Moves the (fake) clock: the batch window closes, then the fan-out runs. */
  const advance = async (ms: number) => {
    vi.advanceTimersByTime(ms);
    await immediate();
  };

  // The clock and bufferTime's timers are fake; the fan-out's setImmediate stays real.
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }));
  afterEach(() => {
    batches.onApplicationShutdown();
    vi.useRealTimers();
  });

  it("sends a quiet room's first comment at once (leading edge)", async () => {
    start();
    const { writes } = viewer('r');
    await publish('r', 'first');
    await settle();
    expect(pushes(writes)).toEqual([{ room: 'r', items: [expect.objectContaining({ text: 'first', seq: 1 })] }]);
  });

  it('observes each batch once in the histograms, whatever its member count: size, publish→write, fan-out', async () => {
    start();
    for (let i = 0; i < 5; i++) viewer('r');
    await publish('r', 'lead');
    await settle();
    for (let k = 0; k < 3; k++) await publish('r', `c${k}`);
    await advance(200);
    const read = async (histogram: DeliveryTimings['fanOut'], what: 'count' | 'sum') => {
      const { name, values } = await histogram.get();
      return values.find((value) => value.metricName === `${name}_${what}`)?.value;
    };
    expect(await read(timings.batchItems, 'count')).toBe(2);
    expect(await read(timings.batchItems, 'sum')).toBe(4);
    expect(await read(timings.publishToWrite, 'count')).toBe(2);
    expect(await read(timings.fanOut, 'count')).toBe(2);
    // The second batch waited for its window: its latency counts from its first item.
    expect(await read(timings.publishToWrite, 'sum')).toBeGreaterThan(0);
  });

  it('merges the K comments that follow within a window into one frame, in order', async () => {
    start();
    const { writes } = viewer('r');
    await publish('r', 'lead');
    await settle();
    for (let k = 0; k < 25; k++) await publish('r', `c${k}`);
    expect(writes).toHaveLength(1);
    await advance(200);
    expect(writes).toHaveLength(2);
    const [, merged] = pushes(writes);
    expect(merged.items.map((i) => i.text)).toEqual(Array.from({ length: 25 }, (_, k) => `c${k}`));
    expect(merged.items.map((i) => i.seq)).toEqual(Array.from({ length: 25 }, (_, k) => k + 2));
  });

  it('puts every item of one publish call to a quiet room in one leading frame', async () => {
    start();
    const { writes } = viewer('r');
    await publish('r', 'a', 'b', 'c');
    await settle();
    expect(pushes(writes)).toEqual([{ room: 'r', items: ['a', 'b', 'c'].map((text) => expect.objectContaining({ text })) }]);
  });

  it('encodes once per room per batch and writes the same bytes to every member', async () => {
    start();
    const members = Array.from({ length: 500 }, () => viewer('big'));
    const other = viewer('small');
    const encode = vi.spyOn(encoder, 'encode');
    await publish('big', 'lead');
    await publish('small', 'lead');
    await settle();
    for (let k = 0; k < 10; k++) {
      await publish('big', `b${k}`);
      await publish('small', `s${k}`);
    }
    // Both rooms' first windows have ended (on their phases, within a window and a half).
    await advance(300);
    expect(encode).toHaveBeenCalledTimes(4);
    for (const { writes } of members) expect(writes).toHaveLength(2);
    const [first, second] = members[0].writes;
    for (const { writes } of members) {
      expect(writes[0]).toBe(first);
      expect(writes[1]).toBe(second);
    }
    expect(pushes(other.writes).map((p) => p.items.length)).toEqual([1, 10]);
    expect(stats.batches).toBe(4);
  });

  it('thins a batch over BATCH_MAX_ITEMS, keeping every priority item and the order', async () => {
    start({ BATCH_MAX_ITEMS: '20' });
    const { writes } = viewer('r');
    await publish('r', 'lead');
    await settle();
    const drafts = Array.from({ length: 100 }, (_, k) => draft('r', `c${k}`, k % 25 === 3));
    await broker.publish('r', drafts);
    await advance(200);
    const frame = pushes(writes)[1];
    expect(frame.items).toHaveLength(20);
    for (const k of [3, 28, 53, 78]) expect(frame.items.map((i) => i.text)).toContain(`c${k}`);
    const seqs = frame.items.map((i) => i.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(stats.thinned).toBe(80);
  });

  it('moves priority items beyond the cap to the next window', async () => {
    start({ BATCH_MAX_ITEMS: '3' });
    const { writes } = viewer('r');
    await publish('r', 'lead');
    await settle();
    await broker.publish('r', Array.from({ length: 5 }, (_, k) => draft('r', `p${k}`, true)));
    await advance(200);
    // What overload control reads as the wait of the carried ones.
    expect(batches.carriedItems).toBe(2);
    await advance(200);
    expect(batches.carriedItems).toBe(0);
    const frames = pushes(writes).slice(1);
    expect(frames.map((f) => f.items.map((i) => i.text))).toEqual([['p0', 'p1', 'p2'], ['p3', 'p4']]);
    expect(stats.thinned).toBe(0);
  });

  it('with BATCH_WINDOW_MS=0, sends priority items beyond the cap at once, in frames of their own', async () => {
    start({ BATCH_WINDOW_MS: '0', BATCH_MAX_ITEMS: '3' });
    const { writes } = viewer('r');
    await broker.publish('r', Array.from({ length: 7 }, (_, k) => draft('r', `p${k}`, true)));
    await settle();
    expect(pushes(writes).map((f) => f.items.map((i) => i.text))).toEqual([['p0', 'p1', 'p2'], ['p3', 'p4', 'p5'], ['p6']]);
    expect(batches.firstPendingSeq('r')).toBeUndefined();
  });

  it('keeps one timer for all rooms, however many are active or idle', async () => {
    start();
    const baseline = vi.getTimerCount();
    for (let room = 0; room < 1000; room++) {
      viewer(`room${room}`);
      await publish(`room${room}`, 'lead', 'second');
      await publish(`room${room}`, 'third');
    }
    await settle();
    expect(vi.getTimerCount()).toBe(baseline);
    await advance(200 * 10);
    expect(vi.getTimerCount()).toBe(baseline);
  });

  it("spreads busy rooms over the window's phases, so their writes do not land on one tick", async () => {
    start();
    const big = Array.from({ length: 7 }, () => viewer('big'));
    const small = Array.from({ length: 6 }, (_, k) => viewer(`s${k}`));
    const rooms = ['big', ...small.map((_, k) => `s${k}`)];
    // Every room turns busy at the same moment: leading edges, then one comment each.
    for (const room of rooms) await publish(room, `${room}-lead`);
    await settle();
    for (const room of rooms) await publish(room, `${room}-next`);
    const total = () => big.concat(small).reduce((n, v) => n + v.writes.length, 0);
    const perTick: number[] = [];
    let before = total();
    for (let tick = 1; tick <= 14; tick++) {
      await advance(25);
      perTick.push(total() - before);
      before = total();
    }
    // The first windows end a window to a window and a half from now, on four phases: the
    // big room's alone, each of the three others two small rooms.
    expect(perTick).toEqual([0, 0, 0, 0, 0, 0, 0, 7, 2, 2, 2, 0, 0, 0]);
  });

  it('keeps one frame per window while busy, the first a window after the leading one', async () => {
    start();
    const { writes } = viewer('r');
    const sentAt: number[] = [];
    const record = () => {
      while (sentAt.length < writes.length) sentAt.push(Date.now());
    };
    for (let t = 0; t < 2000; t += 5) {
      await publish('r', `c${t}`);
      await settle();
      record();
      vi.advanceTimersByTime(5);
      await immediate();
      record();
    }
    const gaps = sentAt.slice(1).map((at, i) => at - sentAt[i]);
    expect(gaps.length).toBeGreaterThan(8);
    // The first frame after the leading edge comes on the room's phase, a window to a window
    // and a half after it (what follows within a window is merged); then one per window.
    expect(gaps[0]).toBeGreaterThanOrEqual(200);
    expect(gaps[0]).toBeLessThan(300);
    expect(gaps.slice(1).every((gap) => gap === 200)).toBe(true);
  });

  it('goes back to leading edge once a room has been quiet for a full window', async () => {
    start();
    const { writes } = viewer('r');
    await publish('r', 'one');
    await settle();
    await advance(200 * 3);
    await publish('r', 'two');
    await settle();
    expect(pushes(writes).map((p) => p.items[0].text)).toEqual(['one', 'two']);
  });

  it('sends broadcasts to every connection through the same path, with room null', async () => {
    start();
    const a = recordingMember(1);
    const b = recordingMember(2);
    rooms.connect(a.member);
    rooms.connect(b.member);
    await broker.broadcast({ ...draft('x', 'hello all'), room: null });
    await settle();
    for (const { writes } of [a, b]) {
      expect(pushes(writes)).toEqual([{ room: null, items: [expect.objectContaining({ text: 'hello all', room: null })] }]);
    }
  });

  it('knows the lowest seq of a room still waiting to be sent', async () => {
    start();
    viewer('r');
    // The memory broker delivers synchronously inside publish(); the leading group waits
    // for the end of the tick.
    void publish('r', 'lead');
    expect(batches.firstPendingSeq('r')).toBe(1);
    await settle();
    expect(batches.firstPendingSeq('r')).toBeUndefined();
    void publish('r', 'two', 'three');
    await settle();
    expect(batches.firstPendingSeq('r')).toBe(2);
    await advance(200);
    expect(batches.firstPendingSeq('r')).toBeUndefined();
  });

  it('flushes what is buffered when asked (shutdown)', async () => {
    start();
    const { writes } = viewer('r');
    await publish('r', 'lead');
    await settle();
    await publish('r', 'pending');
    expect(writes).toHaveLength(1);
    await batches.flushPending();
    expect(pushes(writes)[1].items.map((i) => i.text)).toEqual(['pending']);
  });
});
