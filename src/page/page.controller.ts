import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiBadRoomAnswer } from '../openapi/api-answers.js';
import { RoomIdPipe } from '../publish/room-id.pipe.js';
import { DANMAKU_ROUTE_PREFIX } from '../core/danmaku-tokens.js';
import { loadPageHtml, pageBase } from './page-html.js';

/** A Host header is echoed into the CSP only when it looks like a host (and port). */
const HOST_PATTERN = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The browser room page, served from the same port as the socket: `GET /` (the lobby)
 * and `GET /room/:room` (the room); its files are PageAssets'.
 */
@ApiTags('room page')
@ApiProduces('text/html')
@Controller()
export class PageController {
  private readonly html: string;

  constructor(@Inject(DANMAKU_ROUTE_PREFIX) prefix: string) {
    this.html = loadPageHtml(pageBase(prefix));
  }

  @Get()
  @ApiOperation({ summary: 'The lobby page' })
  @ApiOkResponse({ description: 'HTML', schema: { type: 'string' } })
  index(@Headers('host') host: string | undefined, @Res() response: Response): void {
    this.sendHtml(response, host);
  }

  @Get('room/:room')
  @ApiOperation({ summary: "A room's page" })
  @ApiOkResponse({ description: 'HTML', schema: { type: 'string' } })
  @ApiBadRoomAnswer()
  room(@Param('room', RoomIdPipe) _room: string, @Headers('host') host: string | undefined, @Res() response: Response): void {
    this.sendHtml(response, host);
  }

  private sendHtml(response: Response, host: string | undefined): void {
    // The page runs no inline code and loads nothing from elsewhere but the optional
    // ?video= URL; the socket is on this very host.
    const sockets = host && HOST_PATTERN.test(host) ? ` ws://${host} wss://${host}` : '';
    response.setHeader(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        'media-src * data: blob:',
        `connect-src 'self'${sockets}`,
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
      ].join('; '),
    );
    // A viewer token may ride in the page's query string: never hand it to a video host.
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    // express adds the ETag and answers a matching If-None-Match with 304.
    response.type('html').send(this.html);
  }
}
