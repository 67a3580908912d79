// The room page's and the client package's reconnection backoff, line for line as in
// packages/client/src/backoff.ts (which the package does not export): full jitter, the n-th
// wait uniform in [0, min(cap, base × 2^n)], base 500 ms, cap 20 s, steps reset only after a
// connection that stayed up stableMs. Kept identical so the reconnect bench measures the
// page's behaviour; a change there must be copied here.
export class Backoff {
  constructor(options = {}, random = Math.random) {
    this.random = random;
    this.attempt = 0;
    this.upSince = 0;
    this.baseMs = options.baseMs ?? 500;
    this.capMs = options.capMs ?? 20_000;
    this.stableMs = options.stableMs ?? 10_000;
  }

  get attempts() {
    return this.attempt;
  }

  up(now) {
    this.upSince = now;
  }

  next(now) {
    if (this.upSince && now - this.upSince >= this.stableMs) this.attempt = 0;
    this.upSince = 0;
    const step = Math.min(this.capMs, this.baseMs * 2 ** this.attempt);
    this.attempt++;
    return this.random() * step;
  }

  reset() {
    this.attempt = 0;
    this.upSince = 0;
  }
}
