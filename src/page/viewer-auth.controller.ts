import { Controller, Get, Header, Query } from '@nestjs/common';
import { jwtVerify } from 'jose';
import { DanmakuConfig } from '../config/danmaku-config.js';

/**
 * A browser cannot see why a WebSocket upgrade failed (a 401 looks like any network
 * error), so the page asks here before retrying: with VIEWER_TOKEN_SECRET set and a
 * missing or bad token, retrying would only loop. Same rules as the upgrade check.
 */
@Controller('api')
export class ViewerAuthController {
  private readonly secret: Uint8Array | undefined;

  constructor(config: DanmakuConfig) {
    this.secret = config.VIEWER_TOKEN_SECRET === undefined ? undefined : new TextEncoder().encode(config.VIEWER_TOKEN_SECRET);
  }

  @Get('viewer-auth')
  @Header('Cache-Control', 'no-store')
  async check(@Query('token') token: unknown): Promise<{ required: boolean; valid: boolean }> {
    if (!this.secret) return { required: false, valid: true };
    if (typeof token !== 'string' || token.length === 0) return { required: true, valid: false };
    try {
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'] });
      return { required: true, valid: typeof payload.sub === 'string' && payload.sub.length > 0 };
    } catch {
      return { required: true, valid: false };
    }
  }
}
