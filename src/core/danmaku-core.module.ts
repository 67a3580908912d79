import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import type { DanmakuSettings } from '../config/danmaku-settings.js';
import { validateConfig } from '../config/validate-config.js';
import type { DanmakuModuleExtras } from './danmaku-scope.js';
import { DANMAKU_OPTIONS, DANMAKU_ROUTE_PREFIX, DANMAKU_SETTINGS } from './danmaku-tokens.js';
import { ServerLifecycle } from './server-lifecycle.js';

/**
 * What one DanmakuModule instance was configured with: the validated DanmakuConfig, the
 * options and route prefix, its lifecycle (draining, read by health and the upgrade
 * check, set by shutdown), and the host's providers that its extension classes share
 * with the host app. Every inner module imports it rather than finding it through a
 * global, so the graph says who depends on the configuration.
 */
@Module({})
export class DanmakuCoreModule {
  /** @param settings the DANMAKU_SETTINGS provider (and what the host's factory needs). */
  static register(options: DanmakuModuleExtras, settings: Provider[]): DynamicModule {
    const providers: Provider[] = [
      ...settings,
      {
        provide: DanmakuConfig,
        inject: [DANMAKU_SETTINGS],
        // The standalone server hands over the DanmakuConfig it validated before Nest
        // started (it needs WORKERS first); anything else is validated here, once.
        useFactory: (values: DanmakuSettings) =>
          values instanceof DanmakuConfig ? values : validateConfig(values as Record<string, unknown>),
      },
      { provide: DANMAKU_OPTIONS, useValue: options },
      { provide: DANMAKU_ROUTE_PREFIX, useValue: options.routePrefix },
      ServerLifecycle,
      ...options.providers,
    ];
    return {
      module: DanmakuCoreModule,
      imports: options.imports,
      providers,
      exports: [DanmakuConfig, DANMAKU_OPTIONS, DANMAKU_ROUTE_PREFIX, ServerLifecycle, ...options.providers],
    };
  }
}
