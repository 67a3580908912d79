import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { jwtVerify } from 'jose';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { isValidUserId } from '../protocol/user-id.js';
import { type Viewer, ViewerAuthenticator } from './viewer-authenticator.js';

const ANONYMOUS: Viewer = {};

/**
 * The protocol's default: anyone when VIEWER_TOKEN_SECRET is unset; otherwise an HS256
 * JWT in `?token=` whose `sub` (1 to 64 characters) is the user, with exp/nbf honoured.
 */
@Injectable()
export class JwtViewerAuthenticator extends ViewerAuthenticator {
  private readonly secret: Uint8Array | undefined;

  constructor(config: DanmakuConfig) {
    super();
    this.secret = config.VIEWER_TOKEN_SECRET === undefined ? undefined : new TextEncoder().encode(config.VIEWER_TOKEN_SECRET);
  }

  authenticate(request: IncomingMessage): Viewer | null | Promise<Viewer | null> {
    if (!this.secret) return ANONYMOUS;
    const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
    if (!token) return null;
    return jwtVerify(token, this.secret, { algorithms: ['HS256'] }).then(
      ({ payload }) => (isValidUserId(payload.sub) ? { user: payload.sub } : null),
      () => null,
    );
  }
}
