import { Inject, Injectable } from '@nestjs/common';
import { DanmakuEvents } from '../events/danmaku-events.js';
import type { CandidateComment, CommentContext } from '../protocol/candidate-comment.js';
import { COMMENT_FILTERS, type CommentDecision, type CommentFilter, CommentRejectedError } from './comment-filter.js';

/**
 * Runs the filters over each comment in order: a rewrite feeds the next filter, the
 * first rejection stops the chain. With no filters it costs nothing.
 */
@Injectable()
export class CommentPipeline {
  constructor(
    @Inject(COMMENT_FILTERS) private readonly filters: CommentFilter[],
    private readonly events: DanmakuEvents,
  ) {}

  get isEmpty(): boolean {
    return this.filters.length === 0;
  }

  /**
   * @returns the comments as the filters left them.
   * @throws CommentRejectedError for the first rejected one (nothing of the call is published).
   */
  async review(comments: CandidateComment[], context: CommentContext): Promise<CandidateComment[]> {
    if (this.filters.length === 0) return comments;
    const reviewed = new Array<CandidateComment>(comments.length);
    for (let i = 0; i < comments.length; i++) {
      let comment = comments[i];
      for (const filter of this.filters) {
        const result = filter.review(comment, context);
        const decision: CommentDecision = result instanceof Promise ? await result : result;
        if (decision.action === 'reject') {
          this.events.emitRejected({ comment, reason: decision.reason, origin: context.origin });
          throw new CommentRejectedError(decision.reason, i);
        }
        if (decision.action === 'rewrite') comment = decision.comment;
      }
      reviewed[i] = comment;
    }
    return reviewed;
  }
}
