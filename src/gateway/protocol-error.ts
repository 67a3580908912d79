import { WsException } from '@nestjs/websockets';
import type { ErrorCode } from '../protocol/error-codes.js';

/** An ERROR frame to send back; with `closeCode`, the connection is closed after it. */
export class ProtocolError extends WsException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { ref?: string; closeCode?: number } = {},
  ) {
    super(message);
  }
}
