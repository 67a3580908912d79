import { ConfigurableModuleBuilder, type DynamicModule, Module, type Provider } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { BrokerModule } from './broker/broker.module.js';
import type { DanmakuSettings } from './config/danmaku-settings.js';
import { DanmakuCoreModule } from './core/danmaku-core.module.js';
import { type DanmakuModuleExtras, DanmakuScope } from './core/danmaku-scope.js';
import { DANMAKU_SETTINGS } from './core/danmaku-tokens.js';
import type { DanmakuModuleAsyncOptions, DanmakuModuleOptions } from './danmaku-options.js';
import { EventsModule } from './events/events.module.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { ModerationModule } from './moderation/moderation.module.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { PageModule } from './page/page.module.js';
import { PresenceModule } from './presence/presence.module.js';
import { PublishModule } from './publish/publish.module.js';
import { RoomsModule } from './rooms/rooms.module.js';
import { MonitoringModule } from './stats/monitoring.module.js';
import { StatsModule } from './stats/stats.module.js';

/** `imports` is the builder's own key for forRootAsync; the definition carries it. */
type BuilderExtras = Omit<DanmakuModuleExtras, 'imports'>;

const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<DanmakuSettings>({
  optionsInjectionToken: DANMAKU_SETTINGS,
})
  .setClassMethodName('forRoot')
  .setExtras<BuilderExtras>(
    {
      routePrefix: '',
      roomPage: true,
      isGlobal: true,
      filters: [],
      authenticator: undefined,
      broker: undefined,
      sensitiveWords: [],
      providers: [],
    },
    (definition, extras) =>
      assemble(
        { ...extras, routePrefix: extras.routePrefix.replace(/^\/+|\/+$/g, ''), imports: definition.imports ?? [] },
        definition.providers ?? [],
      ),
  )
  .build();

/**
 * The whole live-comment service as one module: the /connect gateway, rooms, batching,
 * the publishing and monitoring routes and the room page. A host app imports it with
 * forRoot (settings inline) or forRootAsync (settings from ConfigService or anywhere),
 * and extends it with filters, an authenticator or a broker of its own.
 *
 * Each provider has one home among the inner modules, and each inner module imports the
 * homes of what it injects (built per instance, DanmakuScope says why). `isGlobal`
 * (default true) only spares the host app an import.
 */
@Module({})
export class DanmakuModule extends ConfigurableModuleClass {
  static override forRoot({ settings = {}, ...options }: DanmakuModuleOptions = {}): DynamicModule {
    // Through a factory: the builder's forRoot copies its argument into a plain object,
    // and a DanmakuConfig the host already validated would be validated again.
    return super.forRootAsync({ ...given(options), useFactory: () => settings });
  }

  static override forRootAsync(options: DanmakuModuleAsyncOptions): DynamicModule {
    return super.forRootAsync(given(options));
  }
}

/** Leaves out options given as undefined, which would override the builder's defaults. */
function given<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}

/** @param settings the DANMAKU_SETTINGS provider the builder made, and its helpers. */
function assemble(options: DanmakuModuleExtras, settings: Provider[]): DynamicModule {
  const scope = new DanmakuScope(DanmakuCoreModule.register(options, settings), options);
  // What the host app injects: the config, events, word filter, rooms, stats, broker, presence,
  // authenticator, publisher, and the instances of its own providers and filters.
  const exported = [
    scope.core,
    EventsModule,
    RoomsModule.register(scope),
    StatsModule,
    BrokerModule.register(scope),
    PresenceModule.register(scope),
    ModerationModule.register(scope),
    GatewayModule.register(scope),
    PublishModule.register(scope),
  ];
  const routed = [PublishModule, MonitoringModule, ...(options.roomPage ? [PageModule] : []), OpenApiModule];
  return {
    module: DanmakuModule,
    global: options.isGlobal,
    imports: [
      ...exported,
      MonitoringModule.register(scope),
      ...(options.roomPage ? [PageModule.register(scope)] : []),
      OpenApiModule.register(scope, routed),
      ...(options.routePrefix
        ? [RouterModule.register([{ path: options.routePrefix, module: DanmakuModule, children: routed }])]
        : []),
    ],
    exports: exported,
  };
}
