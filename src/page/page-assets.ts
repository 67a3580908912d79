import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import serveStatic from 'serve-static';
import { DANMAKU_ROUTE_PREFIX } from '../core/danmaku-tokens.js';
import { pageBase } from './page-html.js';

const ASSETS = fileURLToPath(new URL('./public/assets/', import.meta.url));

/**
 * `GET /assets/NAME`: the page's scripts, styles and icons, by serve-static (express's own
 * static middleware: content types, ETag and Last-Modified, conditional GET, no path out
 * of the folder). A name it does not serve falls through to Nest's 404.
 */
@Injectable()
export class PageAssets implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(DANMAKU_ROUTE_PREFIX) private readonly prefix: string,
  ) {}

  onModuleInit(): void {
    this.adapterHost.httpAdapter?.use(
      `${pageBase(this.prefix)}/assets`,
      serveStatic(ASSETS, {
        index: false,
        redirect: false,
        // The names carry no version: a browser asks again each time and gets a 304.
        cacheControl: false,
        setHeaders: (response: ServerResponse) => {
          response.setHeader('Cache-Control', 'no-cache');
          response.setHeader('X-Content-Type-Options', 'nosniff');
        },
      }),
    );
  }
}
