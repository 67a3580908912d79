import { type CanActivate, type ExecutionContext, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DanmakuConfig } from '../config/danmaku-config.js';

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/**
 * Headers a proxy adds: a request that carries one came through a proxy, so its loopback
 * address says nothing about who sent it (nginx on the same host, a mesh sidecar).
 */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'via'] as const;

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Admin calls need `Authorization: Bearer ADMIN_TOKEN`; with no token configured they
 * are accepted from loopback addresses only, and not through a proxy. Tokens are
 * compared by their digests, which have one length, so the comparison takes the same
 * time whatever the length of the token presented.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly token: Buffer | undefined;

  constructor(config: DanmakuConfig) {
    this.token = config.ADMIN_TOKEN === undefined ? undefined : digest(config.ADMIN_TOKEN);
    if (!this.token) {
      new Logger('AdminGuard').warn(
        `ADMIN_TOKEN is not set: admin calls are accepted from loopback addresses only, and refused when they carry a proxy header (${PROXY_HEADERS.join(', ')})`,
      );
    }
  }

  canActivate(context: ExecutionContext): boolean {
    return this.authorize(context.switchToHttp().getRequest<IncomingMessage>());
  }

  /** The guard's rule on a bare request (the direct publish route has no ExecutionContext). */
  authorize(request: IncomingMessage): true {
    if (!this.token) {
      const proxied = PROXY_HEADERS.some((name) => request.headers[name] !== undefined);
      if (!proxied && isLoopback(request.socket.remoteAddress)) return true;
      throw new UnauthorizedException('admin calls without ADMIN_TOKEN are accepted from loopback only, not through a proxy');
    }
    const header = request.headers.authorization ?? '';
    const presented = digest(header.startsWith('Bearer ') ? header.slice(7) : '');
    if (timingSafeEqual(presented, this.token)) return true;
    throw new UnauthorizedException('a valid admin token is required');
  }
}
