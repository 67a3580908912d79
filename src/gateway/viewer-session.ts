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
  ) {}

  /** Records a refusal; true when it is the MAX_REFUSALS-th within the window. */
  refuse(now: number): boolean {
    this.refusals.push(now);
    if (this.refusals.length > MAX_REFUSALS) this.refusals.shift();
    return this.refusals.length === MAX_REFUSALS && now - this.refusals[0] <= REFUSAL_WINDOW_MS;
  }
}
