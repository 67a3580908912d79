import { Controller, Get, Header, Req } from '@nestjs/common';
import type { Request } from 'express';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { ViewerAuthenticator } from '../gateway/viewer-authenticator.js';

/**
 * A browser cannot see why a WebSocket upgrade failed (a 401 looks like any network
 * error), so the page asks here before retrying: if the configured ViewerAuthenticator
 * refuses this request's credentials (same query and cookies as the socket's), retrying
 * would only loop.
 */
@Controller('api')
export class ViewerAuthController {
  constructor(
    private readonly authenticator: ViewerAuthenticator,
    private readonly config: DanmakuConfig,
  ) {}

  @Get('viewer-auth')
  @Header('Cache-Control', 'no-store')
  async check(@Req() request: Request): Promise<{ required: boolean; valid: boolean }> {
    let admitted: boolean;
    try {
      admitted = (await this.authenticator.authenticate(request)) !== null;
    } catch {
      admitted = false;
    }
    return { required: !admitted || this.config.VIEWER_TOKEN_SECRET !== undefined, valid: admitted };
  }
}
