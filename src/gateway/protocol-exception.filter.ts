import { type ArgumentsHost, Catch, Injectable, Logger, ServiceUnavailableException, type WsExceptionFilter } from '@nestjs/common';
import type { WebSocket } from 'ws';
import type { ErrorCode } from '../protocol/error-codes.js';
import { BAD_FRAME_EVENT, envelope, UNKNOWN_TYPE_EVENT } from '../protocol/envelope.js';
import { CommentRejectedError } from '../moderation/comment-filter.js';
import { InvalidInputException } from '../validation/input-validation.pipe.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { ProtocolError } from './protocol-error.js';
import { Connections } from './connections.service.js';

/** The error code for invalid data in each message type, when the room is not what is wrong. */
const INVALID_DATA_CODE: Record<string, ErrorCode> = { COMMENT: 'BAD_COMMENT' };

/** Answers every failed client message with the protocol's ERROR frame, echoing its cid. */
@Catch()
@Injectable()
export class ProtocolExceptionFilter implements WsExceptionFilter {
  private readonly logger = new Logger('Gateway');

  constructor(
    private readonly connections: Connections,
    private readonly fanOut: FanOutService,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    this.answer(ws.getClient<WebSocket>(), exception, ws.getPattern(), ws.getData<Record<string, unknown> | undefined>());
  }

  /** The ERROR frame for a failed message of type `pattern`, whose data (as the client sent it) was `data`. */
  answer(client: WebSocket, exception: unknown, pattern: string, data: Record<string, unknown> | undefined): void {
    const connection = this.connections.find(client);
    if (!connection || connection.closing) return;
    const error = this.toProtocolError(exception, pattern);
    const internal = pattern === BAD_FRAME_EVENT || pattern === UNKNOWN_TYPE_EVENT;
    const ref = error.options.ref ?? (internal ? undefined : pattern);
    const cid = typeof data?.cid === 'string' ? data.cid : undefined;
    const retryAfter = error.options.retryAfter;
    this.fanOut.sendTo(connection, JSON.stringify(envelope('ERROR', { code: error.code, message: error.message, ref, cid, retryAfter })));
    const closeCode = error.options.closeCode;
    if (closeCode === undefined) return;
    // Comments accepted just before still get their ACK, then the connection closes. Frames
    // read in one chunk are dispatched together, and the ones admitted before this refusal
    // may still be in their guards and pipes: the close waits for the end of this turn, then
    // for the comments in flight.
    const close = () => client.close(closeCode, error.code);
    connection.closing = true;
    setImmediate(() => connection.afterPublishing(close));
  }

  private toProtocolError(exception: unknown, pattern: string): ProtocolError {
    if (exception instanceof ProtocolError) return exception;
    if (exception instanceof CommentRejectedError) return new ProtocolError('REJECTED', exception.reason);
    // The broker (Redis) is down: REST answers 503, a socket gets this (see RedisLink.run).
    if (exception instanceof ServiceUnavailableException) return new ProtocolError('UNAVAILABLE', exception.message);
    if (exception instanceof InvalidInputException) {
      const response = exception.getResponse() as { message: string[] };
      const roomIsBad = exception.properties.includes('room');
      const code = roomIsBad ? 'BAD_ROOM' : (INVALID_DATA_CODE[pattern] ?? 'BAD_FRAME');
      const message = roomIsBad ? response.message.find((m) => m.startsWith('room')) : response.message[0];
      return new ProtocolError(code, message ?? 'invalid message');
    }
    this.logger.error(exception);
    return new ProtocolError('BAD_FRAME', 'the server could not process this frame');
  }
}
