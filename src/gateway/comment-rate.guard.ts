import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { CloseCode } from '../protocol/close-codes.js';
import { ProtocolError } from './protocol-error.js';
import { ViewerSessions } from './viewer-sessions.service.js';

/**
 * Every COMMENT takes a token before anything else is checked, so a flood of invalid
 * comments is limited like a flood of valid ones. The 20th refusal in 10 s closes 1008.
 */
@Injectable()
export class CommentRateGuard implements CanActivate {
  constructor(private readonly sessions: ViewerSessions) {}

  canActivate(context: ExecutionContext): boolean {
    const session = this.sessions.of(context.switchToWs().getClient<WebSocket>());
    // Frames that came with the closing refusal: dropped (the filter answers nothing).
    if (session.closing) return false;
    const now = Date.now();
    if (session.comments.take(now)) return true;
    const closeCode = session.refuse(now) ? CloseCode.POLICY_VIOLATION : undefined;
    throw new ProtocolError('RATE_LIMITED', 'too many comments; slow down', { closeCode });
  }
}
