import type { ErrorCode } from './protocol.js';

/**
 * Why a comment or a JOIN failed: an ERROR frame's code and message, or one of the
 * client's own codes: NOT_CONNECTED (nothing was sent), CONNECTION_LOST (sent, but the
 * socket closed before the answer: the comment may still have been published), TIMEOUT
 * (no answer in time; the same uncertainty), CLOSED (the client was closed).
 */
export class DanmakuError extends Error {
  override readonly name = 'DanmakuError';

  constructor(
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    /** The type of the frame that failed, when the server said. */
    readonly ref?: string,
    readonly cid?: string,
    /** Seconds before the same may be sent again: only on an overload refusal (the server's load). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export type ClientErrorCode = 'NOT_CONNECTED' | 'CONNECTION_LOST' | 'TIMEOUT' | 'CLOSED';
