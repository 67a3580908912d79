import { Backoff } from '../src/backoff.js';

describe('Backoff (full jitter)', () => {
  it('waits anywhere up to min(cap, base × 2^attempt)', () => {
    const highest = new Backoff({ baseMs: 500, capMs: 20_000 }, () => 0.999_999);
    const steps = Array.from({ length: 8 }, () => Math.round(highest.next(0)));
    expect(steps).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 20_000, 20_000]);
    const lowest = new Backoff({}, () => 0);
    expect([lowest.next(0), lowest.next(0)]).toEqual([0, 0]);
    expect(lowest.attempts).toBe(2);
  });

  it('starts over only after a connection stayed up stableMs', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 10_000, stableMs: 10_000 }, () => 0.999_999);
    backoff.next(0);
    backoff.next(0);
    backoff.up(1000);
    // Dropped 5 s after coming up: the next wait keeps growing.
    expect(Math.round(backoff.next(6000))).toBe(400);
    backoff.up(10_000);
    expect(Math.round(backoff.next(20_000))).toBe(100);
  });
});
