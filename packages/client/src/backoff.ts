export interface BackoffOptions {
  /** The first step, in ms (default 500). */
  baseMs?: number;
  /** The largest step, in ms (default 20000). */
  capMs?: number;
  /** A connection that stayed up this long starts the steps over (default 10000). */
  stableMs?: number;
}

/**
 * Full-jitter exponential backoff: the n-th wait is anywhere between 0 and
 * min(cap, base × 2^n), so clients that lost the same server come back spread out.
 */
export class Backoff {
  private attempt = 0;
  private upSince = 0;
  readonly baseMs: number;
  readonly capMs: number;
  readonly stableMs: number;

  constructor(options: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.baseMs = options.baseMs ?? 500;
    this.capMs = options.capMs ?? 20_000;
    this.stableMs = options.stableMs ?? 10_000;
  }

  /** How many waits since the last stable connection. */
  get attempts(): number {
    return this.attempt;
  }

  /** The connection is up (its rooms joined). */
  up(now: number): void {
    this.upSince = now;
  }

  /** The next wait in ms. Only a connection that stayed up a while resets the steps: a server that accepts and drops at once must not be hammered. */
  next(now: number): number {
    if (this.upSince && now - this.upSince >= this.stableMs) this.attempt = 0;
    this.upSince = 0;
    const step = Math.min(this.capMs, this.baseMs * 2 ** this.attempt);
    this.attempt++;
    return this.random() * step;
  }

  reset(): void {
    this.attempt = 0;
    this.upSince = 0;
  }
}
