import { type CanActivate, type ExecutionContext, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DanmakuConfig } from '../config/danmaku-config.js';

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/**
 * Admin calls need `Authorization: Bearer ADMIN_TOKEN`; with no token configured they
 * are accepted from loopback addresses only.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly token: Buffer | undefined;

  constructor(config: DanmakuConfig) {
    this.token = config.ADMIN_TOKEN === undefined ? undefined : Buffer.from(config.ADMIN_TOKEN);
    if (!this.token) {
      new Logger('AdminGuard').warn('ADMIN_TOKEN is not set: admin calls are accepted from loopback addresses only');
    }
  }

  canActivate(context: ExecutionContext): boolean {
    return this.authorize(context.switchToHttp().getRequest<IncomingMessage>());
  }

  /** The guard's rule on a bare request (the direct publish route has no ExecutionContext). */
  authorize(request: IncomingMessage): true {
    if (!this.token) {
      if (isLoopback(request.socket.remoteAddress)) return true;
      throw new UnauthorizedException('admin calls without ADMIN_TOKEN are accepted from loopback only');
    }
    const header = request.headers.authorization ?? '';
    const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    if (presented.length === this.token.length && timingSafeEqual(presented, this.token)) return true;
    throw new UnauthorizedException('a valid admin token is required');
  }
}
