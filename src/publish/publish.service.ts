import { Injectable } from '@nestjs/common';
import { Broker, type OnceResult, type Published, type Receipt } from '../broker/broker.js';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { DanmakuEvents } from '../events/danmaku-events.js';
import type { CandidateComment, CommentOrigin } from '../protocol/candidate-comment.js';
import { CommentPipeline } from '../moderation/comment-pipeline.service.js';
import { type CommentDraft, type CommentMode, DEFAULT_COLOR, DEFAULT_MODE } from '../protocol/comment.js';
import { nextCommentId } from './comment-id.js';
import { StatsService } from '../stats/stats.service.js';

/** A validated comment from REST or a viewer's COMMENT. */
export interface CommentInput {
  text: string;
  color?: string;
  mode?: CommentMode;
  user?: string;
  priority?: boolean;
}

/**
 * The one way comments enter the system, from REST or WebSocket alike: the comment
 * filters, then id, time and defaults, then the broker.
 */
@Injectable()
export class PublishService {
  constructor(
    private readonly broker: Broker,
    private readonly pipeline: CommentPipeline,
    private readonly stats: StatsService,
    private readonly events: DanmakuEvents,
    private readonly config: DanmakuConfig,
  ) {}

  /** @throws CommentRejectedError when a filter refuses one of the comments (none is published). */
  async publish(room: string, inputs: CommentInput[], origin: CommentOrigin = 'rest'): Promise<Published[]> {
    // Without filters the drafts are made from the inputs directly (see draft).
    const comments = this.pipeline.isEmpty ? undefined : await this.pipeline.review(candidates(room, inputs), { origin });
    const ts = Date.now();
    const published = await this.broker.publish(room, comments ? comments.map((comment) => draft(comment.room, comment, ts)) : inputs.map((input) => draft(room, input, ts)));
    this.stats.commentsIn += published.length;
    if (this.events.acceptedObserved) this.announce(comments ?? candidates(room, inputs), published, origin);
    return published;
  }

  async broadcast(input: CommentInput, origin: CommentOrigin = 'rest'): Promise<Published> {
    const comments = await this.review(null, [input], origin);
    const published = await this.broker.broadcast(draft(comments[0].room, comments[0], Date.now()));
    this.stats.commentsIn++;
    this.announce(comments, [published], origin);
    return published;
  }

  /**
   * A message to every connection of one user, through the same filters as a broadcast
   * (room null). Counted as a comment; no seq, so no commentAccepted$ event.
   * @returns the item's id.
   */
  async pushToUser(user: string, input: CommentInput, origin: CommentOrigin = 'rest'): Promise<string> {
    const [comment] = await this.review(null, [input], origin);
    const message = draft(comment.room, comment, Date.now());
    await this.broker.pushToUser(user, message);
    this.stats.commentsIn++;
    return message.id;
  }

  /** pushToUser at most once per Idempotency-Key (undefined: every call pushes); the id of the first push. */
  async pushToUserOnce(user: string, input: CommentInput, key: string | undefined): Promise<string> {
    if (key === undefined) return this.pushToUser(user, input);
    const [comment] = await this.review(null, [input], 'rest');
    const { receipt, repeat } = await this.broker.pushToUserOnce(user, draft(comment.room, comment, Date.now()), this.onceKey(key));
    if (!repeat) this.stats.commentsIn++;
    return receipt.id;
  }

  /** go-push items: forwarded as they came, no filters, no seq, not counted as comments. */
  pushVerbatim(room: string | null, items: string[]): Promise<void> {
    return this.broker.publishVerbatim(room, items);
  }

  /*
   * The same three at most once per Idempotency-Key (undefined: every call publishes),
   * for the POST routes. The key is kept IDEMPOTENCY_TTL_S with the receipt of the first
   * call, stored by the broker with the publish itself: a repeat, even a concurrent one,
   * gets that receipt and publishes nothing, whatever its body. With comment filters, the
   * kept receipt is looked for first (one more read), so a repeat is answered as the first
   * call was even when the filters would now refuse it; a call they refused keeps no key.
   */

  /** @throws CommentRejectedError as publish does */
  async publishOnce(room: string, inputs: CommentInput[], key: string | undefined): Promise<Receipt> {
    if (key === undefined) return receiptOf(await this.publish(room, inputs));
    const kept = await this.keptReceipt(room, key);
    if (kept) return kept;
    const comments = await this.review(room, inputs, 'rest');
    const ts = Date.now();
    return this.settle(comments, await this.broker.publishOnce(room, comments.map((comment) => draft(comment.room, comment, ts)), this.onceKey(key)));
  }

  async broadcastOnce(input: CommentInput, key: string | undefined): Promise<Receipt> {
    if (key === undefined) return receiptOf([await this.broadcast(input)]);
    const kept = await this.keptReceipt(null, key);
    if (kept) return kept;
    const comments = await this.review(null, [input], 'rest');
    return this.settle(comments, await this.broker.broadcastOnce(draft(comments[0].room, comments[0], Date.now()), this.onceKey(key)));
  }

  async pushVerbatimOnce(room: string | null, items: string[], key: string | undefined): Promise<Receipt> {
    if (key === undefined) {
      await this.pushVerbatim(room, items);
      return { id: '', seq: 0, count: items.length };
    }
    return (await this.broker.publishVerbatimOnce(room, items, this.onceKey(key))).receipt;
  }

  /** Only worth a read when there are filters: without them the broker's own check suffices. */
  private keptReceipt(room: string | null, key: string): Promise<Receipt | undefined> | undefined {
    return this.pipeline.isEmpty ? undefined : this.broker.keptReceipt(room, this.onceKey(key));
  }

  private onceKey(key: string) {
    return { key, ttlSeconds: this.config.IDEMPOTENCY_TTL_S };
  }

  /** Counts and announces what a once-keyed call published (nothing, for a repeat). */
  private settle(comments: CandidateComment[], { receipt, published }: OnceResult): Receipt {
    this.stats.commentsIn += published.length;
    if (published.length > 0) this.announce(comments, published, 'rest');
    return receipt;
  }

  private review(room: string | null, inputs: CommentInput[], origin: CommentOrigin): Promise<CandidateComment[]> | CandidateComment[] {
    const comments = candidates(room, inputs);
    return this.pipeline.isEmpty ? comments : this.pipeline.review(comments, { origin });
  }

  private announce(comments: CandidateComment[], published: Published[], origin: CommentOrigin): void {
    if (!this.events.acceptedObserved) return;
    for (let i = 0; i < published.length; i++) {
      this.events.emitAccepted({ room: comments[i].room, id: published[i].id, seq: published[i].seq, comment: comments[i], origin });
    }
  }
}

function receiptOf(published: Published[]): Receipt {
  return { id: published[0].id, seq: published[0].seq, count: published.length };
}

function candidates(room: string | null, inputs: CommentInput[]): CandidateComment[] {
  return inputs.map(({ text, color, mode, user, priority }): CandidateComment => ({ room, text, color, mode, user, priority }));
}

/**
 * The draft of one comment in `room`: a filter's candidate, or an unfiltered input as it
 * came (no candidate made for it: every comment of every path comes this way).
 */
function draft(room: string | null, comment: CommentInput, ts: number): CommentDraft {
  return {
    id: nextCommentId(),
    room,
    text: comment.text,
    color: comment.color ?? DEFAULT_COLOR,
    mode: comment.mode ?? DEFAULT_MODE,
    user: comment.user,
    ts,
    priority: comment.priority ?? false,
  };
}
