import { Subject } from 'rxjs';
import type { Delivery } from '../broker/broker.js';
import { mergeByRoomWindow } from './merge-by-room-window.js';
import { type MergedBatch, RoomBatches } from './room-batches.js';

const item = (room: string, seq: number, priority = false): Delivery => ({ room, json: `{"seq":${seq}}`, priority, seq });
const seqsOf = (batches: MergedBatch[]) => batches.map(({ room, items }) => ({ room, seqs: items.map((i) => i.seq) }));

describe('mergeByRoomWindow', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  function start(maxItems = 10) {
    const batches = new RoomBatches({ windowMs: 200, maxItems, foldDuplicates: false, weightOf: () => 1 });
    const deliveries = new Subject<Delivery>();
    const flush = new Subject<void>();
    const out: MergedBatch[] = [];
    let completed = false;
    const subscription = deliveries.pipe(mergeByRoomWindow(batches, flush)).subscribe({
      next: (batch) => out.push(batch),
      complete: () => (completed = true),
    });
    return { batches, deliveries, flush, out, subscription, completed: () => completed };
  }

  it('runs one interval for all rooms and clears it on unsubscribe', async () => {
    const baseline = vi.getTimerCount();
    const { deliveries, subscription } = start();
    expect(vi.getTimerCount()).toBe(baseline + 1);
    for (let room = 0; room < 100; room++) deliveries.next(item(`r${room}`, 1));
    await Promise.resolve();
    expect(vi.getTimerCount()).toBe(baseline + 1);
    subscription.unsubscribe();
    expect(vi.getTimerCount()).toBe(baseline);
  });

  it('sends what it holds, carried priority items too, when the source completes, then completes', async () => {
    const { batches, deliveries, out, completed } = start(2);
    deliveries.next(item('a', 1));
    await Promise.resolve();
    for (let seq = 2; seq <= 6; seq++) deliveries.next(item('a', seq, true));
    deliveries.next(item('b', 1));
    expect(batches.firstPendingSeq('a')).toBe(2);
    deliveries.complete();
    expect(seqsOf(out)).toEqual([
      { room: 'a', seqs: [1] },
      { room: 'b', seqs: [1] },
      { room: 'a', seqs: [2, 3] },
      { room: 'a', seqs: [4, 5] },
      { room: 'a', seqs: [6] },
    ]);
    expect(batches.firstPendingSeq('a')).toBeUndefined();
    expect(completed()).toBe(true);
  });

  it('after a flush, stops ticking and sends each later item at the end of its tick', async () => {
    const baseline = vi.getTimerCount();
    const { deliveries, flush, out } = start();
    deliveries.next(item('a', 1));
    await Promise.resolve();
    deliveries.next(item('a', 2));
    flush.next();
    expect(seqsOf(out)).toEqual([{ room: 'a', seqs: [1] }, { room: 'a', seqs: [2] }]);
    expect(vi.getTimerCount()).toBe(baseline);
    deliveries.next(item('a', 3));
    await Promise.resolve();
    expect(seqsOf(out).at(-1)).toEqual({ room: 'a', seqs: [3] });
  });
});
