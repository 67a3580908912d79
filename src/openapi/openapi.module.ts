import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { OpenApiController } from './openapi.controller.js';
import { DOCUMENTED_MODULES } from './openapi-tokens.js';
import { SwaggerUiAssets } from './swagger-ui-assets.js';

/** /openapi.json and /docs (OPENAPI=true, the default). */
@Module({
  controllers: [OpenApiController],
  providers: [SwaggerUiAssets],
})
export class OpenApiModule {
  /** @param documented the modules whose routes the document describes. */
  static register(scope: DanmakuScope, documented: Type[]): DynamicModule {
    return scope.module(OpenApiModule, () => ({
      imports: [scope.core],
      providers: [{ provide: DOCUMENTED_MODULES, useValue: documented }],
    }));
  }
}
