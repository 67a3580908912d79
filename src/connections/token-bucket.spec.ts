import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then the steady rate', () => {
    const bucket = new TokenBucket(2, 5, 0);
    const burst = Array.from({ length: 6 }, () => bucket.take(0));
    expect(burst).toEqual([true, true, true, true, true, false]);
    expect(bucket.take(499)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.take(500)).toBe(false);
  });

  it('never stores more than the burst', () => {
    const bucket = new TokenBucket(2, 3, 0);
    const later = Array.from({ length: 4 }, () => bucket.take(60_000));
    expect(later).toEqual([true, true, true, false]);
  });
});
