import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Broker, type Published } from '../broker/broker.js';
import { DanmakuEvents } from '../events/danmaku-events.js';
import type { CandidateComment, CommentOrigin } from '../protocol/candidate-comment.js';
import { CommentPipeline } from '../moderation/comment-pipeline.service.js';
import { type CommentDraft, type CommentMode, DEFAULT_COLOR, DEFAULT_MODE } from '../protocol/comment.js';
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
  ) {}

  /** @throws CommentRejectedError when a filter refuses one of the comments (none is published). */
  async publish(room: string, inputs: CommentInput[], origin: CommentOrigin = 'rest'): Promise<Published[]> {
    const comments = await this.review(room, inputs, origin);
    const ts = Date.now();
    const published = await this.broker.publish(room, comments.map((comment) => draft(comment, ts)));
    this.stats.commentsIn += published.length;
    this.announce(comments, published, origin);
    return published;
  }

  async broadcast(input: CommentInput, origin: CommentOrigin = 'rest'): Promise<Published> {
    const comments = await this.review(null, [input], origin);
    const published = await this.broker.broadcast(draft(comments[0], Date.now()));
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
    const message = draft(comment, Date.now());
    await this.broker.pushToUser(user, message);
    this.stats.commentsIn++;
    return message.id;
  }

  /** go-push items: forwarded as they came, no filters, no seq, not counted as comments. */
  pushVerbatim(room: string | null, items: string[]): Promise<void> {
    return this.broker.publishVerbatim(room, items);
  }

  private review(room: string | null, inputs: CommentInput[], origin: CommentOrigin): Promise<CandidateComment[]> | CandidateComment[] {
    const candidates = inputs.map(
      ({ text, color, mode, user, priority }): CandidateComment => ({ room, text, color, mode, user, priority }),
    );
    return this.pipeline.isEmpty ? candidates : this.pipeline.review(candidates, { origin });
  }

  private announce(comments: CandidateComment[], published: Published[], origin: CommentOrigin): void {
    if (!this.events.acceptedObserved) return;
    for (let i = 0; i < published.length; i++) {
      this.events.emitAccepted({ room: comments[i].room, id: published[i].id, seq: published[i].seq, comment: comments[i], origin });
    }
  }
}

function draft(comment: CandidateComment, ts: number): CommentDraft {
  return {
    id: randomUUID(),
    room: comment.room,
    text: comment.text,
    color: comment.color ?? DEFAULT_COLOR,
    mode: comment.mode ?? DEFAULT_MODE,
    user: comment.user,
    ts,
    priority: comment.priority ?? false,
  };
}
