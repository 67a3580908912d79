import { Controller, Get, Header, Inject, NotFoundException, Res } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, type OpenAPIObject } from '@nestjs/swagger';
import type { Response } from 'express';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { DANMAKU_ROUTE_PREFIX } from '../core/danmaku-tokens.js';
import { ErrorAnswer } from './api-answers.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { DOCUMENTED_MODULES, docsBase, type DocumentedModules } from './openapi-tokens.js';

/**
 * `GET /openapi.json` and its page `GET /docs` (Swagger UI, served from this server's own
 * copy of swagger-ui-dist by SwaggerUiAssets: nothing is fetched from elsewhere). OPENAPI=false: 404.
 */
@ApiTags('api description')
@Controller()
export class OpenApiController {
  private document: OpenAPIObject | undefined;
  private readonly base: string;

  constructor(
    private readonly config: DanmakuConfig,
    private readonly modules: ModulesContainer,
    private readonly appConfig: ApplicationConfig,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(DOCUMENTED_MODULES) private readonly documented: DocumentedModules,
    @Inject(DANMAKU_ROUTE_PREFIX) prefix: string,
  ) {
    this.base = docsBase(prefix);
  }

  @Get('openapi.json')
  @ApiOperation({ summary: 'This document' })
  @ApiOkResponse({ description: 'OpenAPI 3.0', schema: { type: 'object' } })
  @ApiNotFoundResponse({ description: 'OPENAPI=false', type: ErrorAnswer })
  @Header('Cache-Control', 'no-cache')
  openApi(): OpenAPIObject {
    this.enabled();
    // Built on first use: by then every module is registered.
    this.document ??= buildOpenApiDocument(
      { modules: this.modules, appConfig: this.appConfig, adapterHost: this.adapterHost },
      this.documented,
    );
    return this.document;
  }

  @Get('docs')
  @ApiOperation({ summary: 'This document as a page (Swagger UI)' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'HTML', schema: { type: 'string' } })
  @ApiNotFoundResponse({ description: 'OPENAPI=false', type: ErrorAnswer })
  page(@Res() response: Response): void {
    this.enabled();
    response.setHeader(
      'Content-Security-Policy',
      // Swagger UI sets inline styles; its script is a file of this server.
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'self'",
    );
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.type('html').send(pageHtml(this.base));
  }

  private enabled(): void {
    if (!this.config.OPENAPI) throw new NotFoundException();
  }
}

function pageHtml(base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Danmaku API</title>
<link rel="stylesheet" href="${base}/docs/swagger-ui.css">
<link rel="icon" href="${base}/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${base}/docs/swagger-ui-bundle.js"></script>
<script src="${base}/docs/init.js"></script>
</body>
</html>
`;
}
