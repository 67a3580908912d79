import { validateConfig } from '../config/validate-config.js';
import type { CommentDraft } from '../protocol/comment.js';
import { ROOM_RETENTION_SECONDS } from './broker.js';
import { MemoryBroker } from './memory-broker.js';

const HOUR = 3600 * 1000;
const draft = (room: string, text: string): CommentDraft => ({ id: text, room, text, color: '#ffffff', mode: 'scroll', ts: 0, priority: false });

describe('MemoryBroker room retention', () => {
  let broker: MemoryBroker;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    broker = new MemoryBroker(validateConfig({}));
  });
  afterEach(() => {
    broker.onApplicationShutdown();
    vi.useRealTimers();
  });

  it('forgets a room after ROOM_RETENTION_SECONDS without a publish, and only that room', async () => {
    await broker.publish('quiet', [draft('quiet', 'a'), draft('quiet', 'b')]);
    await broker.publish('busy', [draft('busy', 'a')]);
    for (let elapsed = 0; elapsed < ROOM_RETENTION_SECONDS * 1000; elapsed += 24 * HOUR) {
      vi.advanceTimersByTime(24 * HOUR);
      await broker.publish('busy', [draft('busy', 'again')]);
    }
    expect(await broker.lastSeq('quiet')).toBe(2);
    vi.advanceTimersByTime(2 * HOUR);
    expect(await broker.lastSeq('quiet')).toBe(0);
    expect(await broker.replay('quiet', 2)).toMatchObject({ items: [], lastSeq: 0, gap: true });
    expect(await broker.lastSeq('busy')).toBe(8);
    // A forgotten room starts again from seq 1.
    expect(await broker.publish('quiet', [draft('quiet', 'c')])).toEqual([{ id: 'c', seq: 1 }]);
  });
});

describe('MemoryBroker rooms kept', () => {
  let broker: MemoryBroker;
  beforeEach(() => {
    broker = new MemoryBroker(validateConfig({ MAX_ROOMS_KEPT: '3' }));
  });
  afterEach(() => broker.onApplicationShutdown());

  it('lets the least recently published idle room go past MAX_ROOMS_KEPT, never a followed one', async () => {
    broker.follow('live');
    await broker.publish('live', [draft('live', 'a')]);
    for (const room of ['r1', 'r2', 'r3', 'r4']) await broker.publish(room, [draft(room, `${room}-a`)]);
    expect(broker.keptRooms()).toEqual({ kept: 3, evicted: 2 });
    expect(await broker.replay('r1', 0)).toMatchObject({ items: [], lastSeq: 0 });
    expect(await broker.replay('r2', 0)).toMatchObject({ items: [], lastSeq: 0 });
    expect((await broker.replay('r4', 0)).items).toHaveLength(1);
    expect(await broker.lastSeq('live')).toBe(1);
    // Its last member gone, the room is kept as the most recently used idle room.
    broker.unfollow('live');
    await broker.publish('r5', [draft('r5', 'r5-a')]);
    expect(await broker.lastSeq('live')).toBe(1);
    expect(await broker.lastSeq('r3')).toBe(0);
  });

  it('publishes once per key: a repeat answers the first receipt and delivers nothing', async () => {
    const delivered: string[] = [];
    const subscription = broker.deliveries$.subscribe((delivery) => delivered.push(delivery.json));
    const once = { key: 'k1', ttlSeconds: 60 };
    const first = await broker.publishOnce('room', [draft('room', 'x'), draft('room', 'y')], once);
    const repeat = await broker.publishOnce('room', [draft('room', 'z')], once);
    const elsewhere = await broker.publishOnce('other', [draft('other', 'w')], once);
    subscription.unsubscribe();
    expect(first).toEqual({ receipt: { id: 'x', seq: 1, count: 2 }, repeat: false, published: [{ id: 'x', seq: 1 }, { id: 'y', seq: 2 }] });
    expect(repeat).toEqual({ receipt: { id: 'x', seq: 1, count: 2 }, repeat: true, published: [] });
    expect(elsewhere.repeat).toBe(false);
    expect(delivered).toHaveLength(3);
    expect(await broker.lastSeq('room')).toBe(2);
  });
});

describe('MemoryBroker epochs', () => {
  const brokers: MemoryBroker[] = [];
  const newBroker = () => {
    const broker = new MemoryBroker(validateConfig({ HISTORY_SIZE: '3' }));
    brokers.push(broker);
    return broker;
  };
  afterEach(() => {
    for (const broker of brokers.splice(0)) broker.onApplicationShutdown();
  });

  it('names a room’s history from its first member’s read on, the same through publishes', async () => {
    const broker = newBroker();
    // A member's read, as the gateway's JOIN does.
    broker.follow('e');
    const before = await broker.head('e');
    expect(before).toEqual({ seq: 0, epoch: expect.any(String) });
    await broker.publish('e', [draft('e', 'a')]);
    expect(await broker.head('e')).toEqual({ seq: 1, epoch: before.epoch });
    expect((await broker.replay('e', 0)).epoch).toBe(before.epoch);
    expect((await broker.head('other')).epoch).not.toBe(before.epoch);
  });

  it('gives every process its own epochs: a restarted one replays what is kept with a gap for an old epoch', async () => {
    const old = newBroker();
    await old.publish('e', [draft('e', 'a'), draft('e', 'b')]);
    const oldEpoch = (await old.head('e')).epoch;
    const restarted = newBroker();
    await restarted.publish('e', [draft('e', '1'), draft('e', '2'), draft('e', '3'), draft('e', '4')]);
    const replay = await restarted.replay('e', 2, oldEpoch);
    expect(replay).toMatchObject({ firstSeq: 2, lastSeq: 4, gap: true });
    expect(replay.items.map((json) => JSON.parse(json).text)).toEqual(['2', '3', '4']);
    expect(replay.epoch).not.toBe(oldEpoch);
    // Its own epoch, or none, resumes from since.
    expect(await restarted.replay('e', 2, replay.epoch)).toMatchObject({ firstSeq: 3, gap: false });
    expect(await restarted.replay('e', 2)).toMatchObject({ firstSeq: 3, gap: false });
  });
});
