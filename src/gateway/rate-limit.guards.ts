import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { CloseCode } from '../protocol/close-codes.js';
import { ProtocolError } from './protocol-error.js';
import type { Connection } from '../connections/connection.js';
import type { TokenBucket } from '../connections/token-bucket.js';
import { Connections } from './connections.service.js';

/**
 * A message takes a token from one of the connection's buckets before anything else is
 * checked, so a flood of invalid messages is limited like a flood of valid ones. Every
 * refusal counts toward the 1008 close (the 20th in 10 s), whichever bucket refused.
 */
@Injectable()
abstract class RateGuard implements CanActivate {
  constructor(private readonly connections: Connections) {}

  protected abstract bucketOf(connection: Connection): TokenBucket;
  protected abstract readonly refusal: string;

  canActivate(context: ExecutionContext): boolean {
    const connection = this.connections.of(context.switchToWs().getClient<WebSocket>());
    return takeToken(connection, this.bucketOf(connection), this.refusal);
  }
}

/**
 * The rule of every rate guard: false for a frame that came with the closing refusal
 * (dropped; the filter answers nothing), true when the bucket gives a token.
 * @throws ProtocolError RATE_LIMITED, with the 1008 close on the MAX_REFUSALS-th refusal
 */
export function takeToken(connection: Connection, bucket: TokenBucket, refusal: string): boolean {
  if (connection.closing) return false;
  const now = Date.now();
  if (bucket.take(now)) return true;
  const closeCode = connection.refuse(now) ? CloseCode.POLICY_VIOLATION : undefined;
  throw new ProtocolError('RATE_LIMITED', refusal, { closeCode });
}

export const COMMENT_REFUSAL = 'too many comments; slow down';

/** COMMENT: COMMENT_RATE per second, bursts of COMMENT_BURST. */
@Injectable()
export class CommentRateGuard extends RateGuard {
  protected readonly refusal = COMMENT_REFUSAL;
  protected bucketOf(connection: Connection): TokenBucket {
    return connection.limits.comments;
  }
}

export const MEMBERSHIP_REFUSAL = 'too many JOIN and LEAVE; slow down';

/**
 * JOIN and LEAVE: each can cost a history read, a replay, and in Redis mode a SUBSCRIBE
 * and a presence script on the Redis every process shares.
 */
@Injectable()
export class MembershipRateGuard extends RateGuard {
  protected readonly refusal = MEMBERSHIP_REFUSAL;
  protected bucketOf(connection: Connection): TokenBucket {
    return connection.limits.membership;
  }
}
