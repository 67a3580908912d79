export type ErrorCode =
  | 'BAD_ROOM'
  | 'ROOM_LIMIT'
  | 'BAD_FRAME'
  | 'UNKNOWN_TYPE'
  | 'BAD_COMMENT'
  | 'NOT_JOINED'
  | 'RATE_LIMITED'
  /** Extension: a comment filter refused the comment. */
  | 'REJECTED'
  /** Extension: the shared broker (Redis) is unreachable; retry with backoff. */
  | 'UNAVAILABLE';
