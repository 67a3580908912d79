import { HistoryRing } from './history-ring.js';

function filled(capacity: number, count: number): HistoryRing {
  const ring = new HistoryRing(capacity, 'e');
  for (let seq = 1; seq <= count; seq++) ring.push(seq, `item${seq}`, 0);
  return ring;
}

describe('HistoryRing', () => {
  it('replays the items after since, oldest first, without a gap while all are kept', () => {
    const ring = filled(5, 3);
    expect(ring.since(1)).toEqual({ items: ['item2', 'item3'], firstSeq: 2, gap: false });
    expect(ring.since(0)).toEqual({ items: ['item1', 'item2', 'item3'], firstSeq: 1, gap: false });
    expect(ring.since(3)).toEqual({ items: [], firstSeq: 4, gap: false });
  });

  it('keeps only the newest capacity items and reports the gap', () => {
    const ring = filled(3, 10);
    expect(ring.lastSeq).toBe(10);
    expect(ring.oldestSeq).toBe(8);
    expect(ring.since(4)).toEqual({ items: ['item8', 'item9', 'item10'], firstSeq: 8, gap: true });
    expect(ring.since(7)).toEqual({ items: ['item8', 'item9', 'item10'], firstSeq: 8, gap: false });
    expect(ring.since(8)).toEqual({ items: ['item9', 'item10'], firstSeq: 9, gap: false });
  });

  it('wraps around many times and stays ordered', () => {
    const ring = filled(4, 1003);
    expect(ring.since(999)).toEqual({ items: ['item1000', 'item1001', 'item1002', 'item1003'], firstSeq: 1000, gap: false });
  });

  it('treats a since from the future (a restarted server) as a gap and replays all it has', () => {
    const ring = filled(4, 2);
    expect(ring.since(50)).toEqual({ items: ['item1', 'item2'], firstSeq: 1, gap: true });
  });

  it('grows with its items instead of reserving its capacity', () => {
    const ring = filled(1000, 2);
    expect((ring as unknown as { items: string[] }).items).toHaveLength(2);
    expect(ring.since(0)).toEqual({ items: ['item1', 'item2'], firstSeq: 1, gap: false });
  });

  it('with capacity 0 keeps nothing but still counts seqs', () => {
    const ring = filled(0, 3);
    expect(ring.lastSeq).toBe(3);
    expect(ring.since(1)).toEqual({ items: [], firstSeq: 4, gap: true });
    expect(ring.since(3)).toEqual({ items: [], firstSeq: 4, gap: false });
  });
});
