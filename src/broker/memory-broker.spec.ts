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
