// The wire protocol's frames: `{"type": TYPE, "data": {...}}` JSON text frames over
// `/connect`. Servers may add fields and frame types; a client ignores what it does not know.

export type CommentMode = 'scroll' | 'top' | 'bottom';

/** Any JSON value: what go-push publishers may put in a PUSH, passed through as sent. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A comment published through the server's own API (REST, COMMENT, broadcast). */
export interface CommentItem {
  id: string;
  /** Grows by one per comment in a room; broadcasts count on their own; one-user messages have none. */
  seq?: number;
  /** null for a broadcast and a one-user message. */
  room: string | null;
  text: string;
  /** `#rrggbb` */
  color: string;
  mode: CommentMode;
  user?: string;
  /** Milliseconds since the epoch. */
  ts: number;
}

/** One entry of a PUSH: a comment, or whatever JSON a go-push publisher sent. */
export type PushItem = CommentItem | JsonValue;

export type ErrorCode =
  | 'BAD_ROOM'
  | 'ROOM_LIMIT'
  | 'BAD_FRAME'
  | 'UNKNOWN_TYPE'
  | 'BAD_COMMENT'
  | 'NOT_JOINED'
  | 'RATE_LIMITED'
  | 'REJECTED'
  | 'UNAVAILABLE'
  // Newer servers may add codes.
  | (string & {});

// ----- client to server -----

export interface PingFrame {
  type: 'PING';
  data: Record<string, never>;
}

export interface JoinData {
  room: string;
  /** The last seq seen in the room: the server first replays what came after it. */
  since?: number;
  /** The room's history epoch from the last JOINED: another epoch means that history was lost. */
  epoch?: string;
}
export interface JoinFrame {
  type: 'JOIN';
  data: JoinData;
}

export interface LeaveFrame {
  type: 'LEAVE';
  data: { room: string };
}

export interface CommentData {
  room: string;
  /** 1 to 200 characters (code points). */
  text: string;
  /** `#rrggbb`; the server's default is `#ffffff`. */
  color?: string;
  /** The server's default is `scroll`. */
  mode?: CommentMode;
  /** Echoed in the ACK or ERROR that answers this comment (at most 128 characters). */
  cid?: string;
}
export interface CommentFrame {
  type: 'COMMENT';
  data: CommentData;
}

export type ClientFrame = PingFrame | JoinFrame | LeaveFrame | CommentFrame;

// ----- server to client -----

export interface PongFrame {
  type: 'PONG';
  data: Record<string, never>;
}

export interface JoinedData {
  room: string;
  /** The room's latest seq. */
  seq: number;
  online: number;
  /** Some items after `since` are no longer kept (or the server lost the room's history). */
  gap?: boolean;
  /** Names the room's current history; servers that do not send it leave it out. */
  epoch?: string;
}
export interface JoinedFrame {
  type: 'JOINED';
  data: JoinedData;
}

export interface LeftFrame {
  type: 'LEFT';
  data: { room: string };
}

export interface PushData {
  /** null for a broadcast to every connection, and for a message to one user. */
  room: string | null;
  /** Set on a message to one user's connections: that user. */
  to?: string;
  items: PushItem[];
}
export interface PushFrame {
  type: 'PUSH';
  data: PushData;
}

export interface OnlineData {
  room: string;
  online: number;
}
export interface OnlineFrame {
  type: 'ONLINE';
  data: OnlineData;
}

export interface AckData {
  cid?: string;
  id: string;
  seq: number;
}
export interface AckFrame {
  type: 'ACK';
  data: AckData;
}

export interface ErrorData {
  code: ErrorCode;
  message: string;
  /** The type of the frame that failed. */
  ref?: string;
  cid?: string;
  /**
   * Seconds to wait before sending the same again: set only when the server refused for
   * its own load (overload), never for this connection's rate limit.
   */
  retryAfter?: number;
}
export interface ErrorFrame {
  type: 'ERROR';
  data: ErrorData;
}

export type ServerFrame = PongFrame | JoinedFrame | LeftFrame | PushFrame | OnlineFrame | AckFrame | ErrorFrame;

/** Close codes a client acts on. */
export const CloseCode = {
  /** Too many refused comments: reconnecting would only be refused again. */
  POLICY_VIOLATION: 1008,
  /** The server is shutting down (after flushing pending batches): reconnect later. */
  SERVICE_RESTART: 1012,
} as const;

/** Whether a PUSH item is a comment of the server's own API (not a go-push value). */
export function isComment(item: PushItem): item is CommentItem {
  return typeof item === 'object' && item !== null && !Array.isArray(item) && typeof item.id === 'string' && typeof item.text === 'string';
}
