import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { ViewerAuthenticator } from '../gateway/viewer-authenticator.js';

/**
 * A browser cannot see why a WebSocket upgrade failed (a 401 looks like any network
 * error), so the page asks here before retrying: if the configured ViewerAuthenticator
 * refuses this request's credentials (same query and cookies as the socket's), retrying
 * would only loop.
 */
class ViewerAuthAnswer {
  @ApiProperty({ description: 'Whether the socket needs credentials' }) required: boolean;
  @ApiProperty({ description: "Whether this request's credentials (query, cookies) would be admitted" }) valid: boolean;
}

@ApiTags('room page')
@Controller('api')
export class ViewerAuthController {
  constructor(
    private readonly authenticator: ViewerAuthenticator,
    private readonly config: DanmakuConfig,
  ) {}

  @Get('viewer-auth')
  @ApiOperation({ summary: 'Whether the socket would admit this request; the page asks before retrying a refused upgrade' })
  @ApiOkResponse({ type: ViewerAuthAnswer })
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
