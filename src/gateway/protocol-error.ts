import { WsException } from '@nestjs/websockets';
import type { ErrorCode } from '../protocol/error-codes.js';

/**
 * An ERROR frame to send back; with `closeCode`, the connection is closed after it; with
 * `retryAfter` (seconds, as HTTP's Retry-After), the refusal is the server's load, not the
 * client's doing, and the same frame may be sent again after that long.
 */
export class ProtocolError extends WsException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { ref?: string; closeCode?: number; retryAfter?: number } = {},
  ) {
    super(message);
  }
}
