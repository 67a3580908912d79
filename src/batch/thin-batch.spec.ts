import type { Delivery } from '../broker/broker.js';
import { MAX_CARRIED_FRAMES, thinBatch } from './thin-batch.js';

const item = (n: number, priority = false): Delivery => ({ room: 'r', json: `${n}`, priority });
const numbers = (items: Delivery[]) => items.map((i) => Number(i.json));

describe('thinBatch', () => {
  it('passes a batch under the cap through untouched', () => {
    const items = [item(1), item(2, true), item(3)];
    expect(thinBatch(items, 3)).toEqual({ send: items, carry: [], thinned: 0 });
  });

  it('samples ordinary items evenly to fill the frame, in arrival order', () => {
    const items = Array.from({ length: 100 }, (_, i) => item(i));
    const result = thinBatch(items, 10);
    expect(numbers(result.send)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(result.thinned).toBe(90);
    expect(result.carry).toEqual([]);
  });

  it('keeps every priority item and fills the rest of the cap with a sample', () => {
    const items = Array.from({ length: 50 }, (_, i) => item(i, i % 10 === 7));
    const result = thinBatch(items, 10);
    expect(result.send).toHaveLength(10);
    expect(numbers(result.send.filter((i) => i.priority))).toEqual([7, 17, 27, 37, 47]);
    const order = numbers(result.send);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(result.thinned).toBe(40);
  });

  it('moves priority items beyond the cap to the next frame and drops the ordinary ones', () => {
    const items = [item(1, true), item(2), item(3, true), item(4, true), item(5)];
    const result = thinBatch(items, 2);
    expect(numbers(result.send)).toEqual([1, 3]);
    expect(numbers(result.carry)).toEqual([4]);
    expect(result.thinned).toBe(2);
  });

  it('lets at most MAX_CARRIED_FRAMES frames of priority items wait, dropping (and counting) the newest past that', () => {
    const items = Array.from({ length: 2 + 2 * MAX_CARRIED_FRAMES + 5 }, (_, i) => item(i, true));
    const result = thinBatch([...items, item(999)], 2);
    expect(numbers(result.send)).toEqual([0, 1]);
    expect(result.carry).toHaveLength(2 * MAX_CARRIED_FRAMES);
    expect(numbers(result.carry).at(-1)).toBe(1 + 2 * MAX_CARRIED_FRAMES);
    expect(result.thinned).toBe(6);
  });

  it('fills the frame exactly to the cap whatever the ratio', () => {
    for (const total of [11, 99, 101, 1000, 1234]) {
      for (const max of [1, 3, 10, 100]) {
        if (total <= max) continue;
        const result = thinBatch(Array.from({ length: total }, (_, i) => item(i)), max);
        expect(result.send).toHaveLength(max);
        expect(result.thinned).toBe(total - max);
      }
    }
  });
});
