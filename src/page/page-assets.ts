import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import serveStatic from 'serve-static';
import { DANMAKU_ROUTE_PREFIX } from '../core/danmaku-tokens.js';
import { pageBase } from './page-html.js';

const ASSETS = fileURLToPath(new URL('./public/assets/', import.meta.url));

/** The viewer client package's build (packages/client, an npm workspace): ES modules a browser loads as they are. */
const CLIENT = join(dirname(createRequire(import.meta.url).resolve('@danmaku-nest/client/package.json')), 'dist');

function noCache(response: ServerResponse): void {
  response.setHeader('Cache-Control', 'no-cache');
  response.setHeader('X-Content-Type-Options', 'nosniff');
}

/** The client is public code that pages elsewhere may import too, and module scripts load with CORS. */
function noCacheAnyOrigin(response: ServerResponse): void {
  noCache(response);
  response.setHeader('Access-Control-Allow-Origin', '*');
}

function servedFrom(folder: string, setHeaders: (response: ServerResponse) => void) {
  return serveStatic(folder, {
    index: false,
    redirect: false,
    // The names carry no version: a browser asks again each time and gets a 304.
    cacheControl: false,
    setHeaders,
  });
}

/**
 * `GET /assets/NAME`: the page's scripts, styles and icons, and `GET /assets/client/NAME`:
 * the viewer client the page connects with, by serve-static (express's own static
 * middleware: content types, ETag and Last-Modified, conditional GET, no path out of the
 * folder). A name it does not serve falls through to Nest's 404.
 */
@Injectable()
export class PageAssets implements OnModuleInit {
  private readonly logger = new Logger('Page');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(DANMAKU_ROUTE_PREFIX) private readonly prefix: string,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    const base = `${pageBase(this.prefix)}/assets`;
    if (!existsSync(join(CLIENT, 'index.js'))) {
      this.logger.error(`the room page's client is not built (${CLIENT}): run npm run build`);
    }
    adapter.use(`${base}/client`, servedFrom(CLIENT, noCacheAnyOrigin));
    adapter.use(base, servedFrom(ASSETS, noCache));
  }
}
