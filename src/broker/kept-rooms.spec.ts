import { KeptRooms } from './kept-rooms.js';

function keptWith(max: number, ...rooms: string[]): KeptRooms<string> {
  const kept = new KeptRooms<string>(max);
  for (const room of rooms) kept.use(room, () => `state of ${room}`);
  return kept;
}

describe('KeptRooms', () => {
  it('lets the least recently used room go past the cap, and counts it', () => {
    const kept = keptWith(3, 'a', 'b', 'c');
    kept.use('a', () => 'fresh a');
    kept.use('d', () => 'state of d');
    expect(kept.size).toBe(3);
    expect(kept.get('b')).toBeUndefined();
    expect(kept.get('a')).toBe('state of a');
    expect(kept.get('d')).toBe('state of d');
    expect(kept.evicted).toBe(1);
  });

  it('never lets a followed room go, and keeps it when its state is made after the follow', () => {
    const kept = new KeptRooms<string>(2);
    kept.follow('live');
    kept.use('live', () => 'live state');
    kept.use('old', () => 'old state');
    kept.follow('old');
    for (let i = 0; i < 10; i++) kept.use(`idle${i}`, () => `idle ${i}`);
    expect(kept.get('live')).toBe('live state');
    expect(kept.get('old')).toBe('old state');
    // The followed rooms fill the cap: each idle room makes way for the next.
    expect(kept.size).toBe(3);
    expect(kept.get('idle9')).toBe('idle 9');
    expect(kept.evicted).toBe(9);
  });

  it('stays bounded by the cap plus the followed rooms, however many rooms pass through', () => {
    const kept = new KeptRooms<number>(100);
    for (let i = 0; i < 5; i++) kept.follow(`live${i}`);
    for (let i = 0; i < 5; i++) kept.use(`live${i}`, () => i);
    for (let i = 0; i < 50_000; i++) kept.use(`room${i}`, () => i);
    expect(kept.size).toBe(100);
    expect(kept.evicted).toBe(50_000 - 95);
  });

  it('makes a room idle and most recently used when its last member leaves', () => {
    const kept = keptWith(2, 'a');
    kept.follow('a');
    kept.use('b', () => 'state of b');
    kept.unfollow('a');
    kept.use('c', () => 'state of c');
    expect(kept.get('a')).toBe('state of a');
    expect(kept.get('b')).toBeUndefined();
  });

  it('forgets only idle rooms on an expiry sweep, without counting them as evictions', () => {
    const kept = keptWith(10, 'live', 'stale', 'fresh');
    kept.follow('live');
    kept.forgetIdle((state) => state !== 'state of fresh');
    expect(kept.get('live')).toBe('state of live');
    expect(kept.get('stale')).toBeUndefined();
    expect(kept.get('fresh')).toBe('state of fresh');
    expect(kept.evicted).toBe(0);
  });
});
