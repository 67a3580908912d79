import type { Member } from '../rooms/member.js';
import { TokenBucket } from './token-bucket.js';

/** How many RATE_LIMITED refusals within REFUSAL_WINDOW_MS get a connection closed. */
export const MAX_REFUSALS = 20;
export const REFUSAL_WINDOW_MS = 10_000;

/** What the gateway keeps per connection beyond what the fan-out needs. */
export class ViewerSession {
  /** Times of the latest refusals, at most MAX_REFUSALS of them. */
  private readonly refusals: number[] = [];

  constructor(
    readonly member: Member,
    readonly comments: TokenBucket,
    readonly membership: TokenBucket,
  ) {}

  /** Set by the refusal that closes the connection: nothing more is taken or answered. */
  closing = false;

  /** Comments of this connection still being published (their ACK not yet sent). */
  private inFlight = 0;
  private whenSettled: (() => void) | undefined;

  /** Runs the publishing of one comment, so that a close can wait for its ACK. */
  async publishing<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await work();
    } finally {
      if (--this.inFlight === 0 && this.whenSettled) {
        const action = this.whenSettled;
        this.whenSettled = undefined;
        // After the handler's result (the ACK) has been sent, which happens in a microtask.
        setImmediate(action);
      }
    }
  }

  /** Runs `action` once every comment in flight has been answered: at once if none is. */
  afterPublishing(action: () => void): void {
    if (this.inFlight === 0) action();
    else this.whenSettled = action;
  }

  /** Records a refusal; true when it is the MAX_REFUSALS-th within the window. */
  refuse(now: number): boolean {
    this.refusals.push(now);
    if (this.refusals.length > MAX_REFUSALS) this.refusals.shift();
    return this.refusals.length === MAX_REFUSALS && now - this.refusals[0] <= REFUSAL_WINDOW_MS;
  }
}
