import type { Delivery } from '../broker/broker.js';
import { foldDuplicates } from './fold-duplicates.js';

const item = (text: string, seq: number, priority = false): Delivery => ({
  room: 'r',
  json: JSON.stringify({ id: `i${seq}`, seq, room: 'r', text }),
  priority,
  seq,
});
const parsed = (items: Delivery[]) => items.map((i) => JSON.parse(i.json));

describe('foldDuplicates', () => {
  it('folds identical texts into the first one with a count, keeping order', () => {
    const folded = foldDuplicates([item('666', 1), item('hi', 2), item('666', 3), item('666', 4), item('hi', 5), item('yo', 6)]);
    expect(parsed(folded)).toEqual([
      { id: 'i1', seq: 1, room: 'r', text: '666', count: 3 },
      { id: 'i2', seq: 2, room: 'r', text: 'hi', count: 2 },
      { id: 'i6', seq: 6, room: 'r', text: 'yo' },
    ]);
  });

  it('keeps a folded item priority when any copy was', () => {
    const [folded] = foldDuplicates([item('gg', 1), item('gg', 2, true)]);
    expect(folded.priority).toBe(true);
  });

  it('leaves items without a text field alone', () => {
    const raw: Delivery[] = [
      { room: 'r', json: '{"gift": 1}', priority: false },
      { room: 'r', json: '{"gift": 1}', priority: false },
      { room: 'r', json: '"666"', priority: false },
    ];
    expect(foldDuplicates(raw)).toEqual(raw);
  });

  it('never rewrites go-push items (no seq), even those with a text', () => {
    const pushed: Delivery[] = [
      { room: 'r', json: '{"text":"666"}', priority: false },
      { room: 'r', json: '{"text":"666"}', priority: false },
    ];
    expect(foldDuplicates([...pushed, item('666', 1), item('666', 2)]).map((i) => i.json)).toEqual([
      '{"text":"666"}',
      '{"text":"666"}',
      JSON.stringify({ id: 'i1', seq: 1, room: 'r', text: '666', count: 2 }),
    ]);
  });

  it('treats texts differing only in case as different', () => {
    expect(foldDuplicates([item('Hi', 1), item('hi', 2)])).toHaveLength(2);
  });
});
