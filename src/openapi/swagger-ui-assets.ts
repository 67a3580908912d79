import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import serveStatic from 'serve-static';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { DANMAKU_ROUTE_PREFIX } from '../core/danmaku-tokens.js';
import { docsBase } from './openapi-tokens.js';

// swagger-ui-dist is CommonJS without types: its folder, as its own helper finds it.
const swaggerUiFolder = createRequire(import.meta.url)('swagger-ui-dist/absolute-path.js') as () => string;

/** The files of swagger-ui-dist the page loads; its stock index.html (a demo) is not among them. */
const FILES = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-32x32.png']);

/**
 * `GET /docs/<file>`: Swagger UI's files from the installed swagger-ui-dist, by serve-static,
 * and `/docs/init.js`, which starts it on this server's /openapi.json (the page runs no
 * inline script). Anything else falls through to Nest's 404.
 */
@Injectable()
export class SwaggerUiAssets implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: DanmakuConfig,
    @Inject(DANMAKU_ROUTE_PREFIX) private readonly prefix: string,
  ) {}

  onModuleInit(): void {
    if (!this.config.OPENAPI || !this.adapterHost.httpAdapter) return;
    const base = docsBase(this.prefix);
    // validatorUrl null: Swagger UI would otherwise fetch a badge from validator.swagger.io.
    const init = `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(`${base}/openapi.json`)}, dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });\n`;
    const files = serveStatic(swaggerUiFolder(), { index: false, redirect: false });
    this.adapterHost.httpAdapter.use(`${base}/docs`, (request: IncomingMessage & { path?: string }, response: ServerResponse, next: () => void) => {
      const path = request.path ?? '';
      if (path === '/init.js') {
        response.setHeader('Content-Type', 'application/javascript; charset=utf-8');
        response.setHeader('Cache-Control', 'no-cache');
        response.end(init);
      } else if (FILES.has(path)) {
        files(request, response, next);
      } else {
        next();
      }
    });
  }
}
