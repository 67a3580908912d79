import { Controller, Get, Headers, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { fileURLToPath } from 'node:url';
import { RoomIdPipe } from '../publish/room-id.pipe.js';
import { DANMAKU_ROUTE_PREFIX } from '../core/danmaku-tokens.js';
import { isAssetName, loadPageAssets, mountedHtml, type PageAsset } from './page-assets.js';

const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));

/** A Host header is echoed into the CSP only when it looks like a host (and port). */
const HOST_PATTERN = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The browser room page and its files, served from the same port as the socket:
 * `GET /` (the lobby), `GET /room/:room` (the room) and `GET /assets/:name`.
 */
@Controller()
export class PageController {
  private readonly assets = loadPageAssets(PUBLIC);
  private readonly html: PageAsset;

  constructor(@Inject(DANMAKU_ROUTE_PREFIX) prefix: string) {
    this.html = mountedHtml(this.assets.get('index.html')!, prefix ? `/${prefix}` : '');
  }

  @Get()
  index(@Headers('host') host: string | undefined, @Res() response: Response): void {
    this.sendHtml(response, host);
  }

  @Get('room/:room')
  room(@Param('room', RoomIdPipe) _room: string, @Headers('host') host: string | undefined, @Res() response: Response): void {
    this.sendHtml(response, host);
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Headers('if-none-match') ifNoneMatch: string | undefined, @Res() response: Response): void {
    const asset = isAssetName(name) ? this.assets.get(name) : undefined;
    if (!asset || name === 'index.html') throw new NotFoundException(`no page asset named ${JSON.stringify(name)}`);
    this.send(response, asset, ifNoneMatch);
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
    this.send(response, this.html, undefined);
  }

  private send(response: Response, asset: PageAsset, ifNoneMatch: string | undefined): void {
    response.setHeader('Content-Type', asset.type);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('ETag', asset.etag);
    if (!response.hasHeader('Cache-Control')) response.setHeader('Cache-Control', 'no-cache');
    if (ifNoneMatch === asset.etag) {
      response.status(304).end();
      return;
    }
    response.status(200).end(asset.body);
  }
}
