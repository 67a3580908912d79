import type { CommentMode } from './comment.js';

/** Where a comment came from. */
export type CommentOrigin = 'rest' | 'websocket';

/** A comment on its way in, before it is numbered. Filters may return a changed copy. */
export interface CandidateComment {
  /** null for a broadcast. */
  room: string | null;
  text: string;
  color?: string;
  mode?: CommentMode;
  user?: string;
  priority?: boolean;
}

export interface CommentContext {
  origin: CommentOrigin;
}
