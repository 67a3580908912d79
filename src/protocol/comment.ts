export const COMMENT_MODES = ['scroll', 'top', 'bottom'] as const;
export type CommentMode = (typeof COMMENT_MODES)[number];

export const DEFAULT_COLOR = '#ffffff';
export const DEFAULT_MODE: CommentMode = 'scroll';
export const MAX_TEXT_CHARS = 200;
export const COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;

/** A comment stamped by the publisher, waiting for the broker to give it a seq. */
export interface CommentDraft {
  id: string;
  /** null for a broadcast to every connection. */
  room: string | null;
  text: string;
  color: string;
  mode: CommentMode;
  user?: string;
  ts: number;
  priority: boolean;
}

/**
 * The wire form of one ITEM, serialized once when the seq is known; every batch,
 * replay and process that carries it afterwards reuses this string.
 */
export function encodeItem(draft: CommentDraft, seq: number): string {
  return JSON.stringify({
    id: draft.id,
    seq,
    room: draft.room,
    text: draft.text,
    color: draft.color,
    mode: draft.mode,
    // JSON.stringify leaves out an undefined user; one object shape keeps this fast.
    user: draft.user,
    ts: draft.ts,
  });
}

/**
 * The wire form of an item for one user's connections: like a broadcast's, `room` null,
 * but it takes no seq (it is not part of any sequence a client could resume).
 */
export function encodeUserItem(draft: CommentDraft): string {
  return JSON.stringify({
    id: draft.id,
    room: null,
    text: draft.text,
    color: draft.color,
    mode: draft.mode,
    user: draft.user,
    ts: draft.ts,
  });
}
