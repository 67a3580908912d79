import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Broker, type Published } from '../broker/broker.js';
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
 * The one way comments enter the system, from REST or WebSocket alike: stamp id and
 * time, apply defaults, hand to the broker.
 */
@Injectable()
export class PublishService {
  constructor(
    private readonly broker: Broker,
    private readonly stats: StatsService,
  ) {}

  async publish(room: string, inputs: CommentInput[]): Promise<Published[]> {
    const ts = Date.now();
    const drafts = inputs.map((input) => draft(room, input, ts));
    const published = await this.broker.publish(room, drafts);
    this.stats.commentsIn += published.length;
    return published;
  }

  async broadcast(input: CommentInput): Promise<Published> {
    const published = await this.broker.broadcast(draft(null, input, Date.now()));
    this.stats.commentsIn++;
    return published;
  }

  /** go-push items: forwarded as they came, no seq, not counted as comments. */
  pushVerbatim(room: string | null, items: string[]): Promise<void> {
    return this.broker.publishVerbatim(room, items);
  }
}

function draft(room: string | null, input: CommentInput, ts: number): CommentDraft {
  return {
    id: randomUUID(),
    room,
    text: input.text,
    color: input.color ?? DEFAULT_COLOR,
    mode: input.mode ?? DEFAULT_MODE,
    ...(input.user === undefined ? {} : { user: input.user }),
    ts,
    priority: input.priority ?? false,
  };
}
