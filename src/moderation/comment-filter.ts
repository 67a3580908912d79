import type { CandidateComment, CommentContext } from '../protocol/candidate-comment.js';

export type CommentDecision =
  | { action: 'accept' }
  | { action: 'rewrite'; comment: CandidateComment }
  | { action: 'reject'; reason: string };

export const accept = (): CommentDecision => ({ action: 'accept' });
export const rewrite = (comment: CandidateComment): CommentDecision => ({ action: 'rewrite', comment });
export const reject = (reason: string): CommentDecision => ({ action: 'reject', reason });

/**
 * One step of the comment pipeline, run in order for every comment (REST, WebSocket and
 * broadcasts) before it gets a seq. Return a decision synchronously when you can: a
 * Promise costs a tick per comment.
 */
export interface CommentFilter {
  review(comment: CandidateComment, context: CommentContext): CommentDecision | Promise<CommentDecision>;
}

/** The ordered list of CommentFilter instances (built-ins first, then the app's). */
export const COMMENT_FILTERS = Symbol('COMMENT_FILTERS');

/** Thrown when a filter rejects: HTTP 422 over REST, ERROR REJECTED over WebSocket. */
export class CommentRejectedError extends Error {
  override readonly name = 'CommentRejectedError';
  constructor(
    readonly reason: string,
    /** Index of the rejected item in a batch. */
    readonly index = 0,
  ) {
    super(reason);
  }
}
