import { type DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { BatchModule } from './batch/batch.module.js';
import { Broker } from './broker/broker.js';
import { BrokerModule } from './broker/broker.module.js';
import { DanmakuConfig } from './config/danmaku-config.js';
import { validateConfig } from './config/validate-config.js';
import {
  DANMAKU_OPTIONS,
  DANMAKU_ROUTE_PREFIX,
  DANMAKU_SETTINGS,
  type DanmakuExtensions,
  type DanmakuModuleAsyncOptions,
  type DanmakuModuleOptions,
  type DanmakuSettings,
} from './danmaku-options.js';
import { DeliveryModule } from './delivery/delivery.module.js';
import { EventsModule } from './events/events.module.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { JwtViewerAuthenticator } from './gateway/jwt-viewer-authenticator.js';
import { ViewerAuthenticator } from './gateway/viewer-authenticator.js';
import { COMMENT_FILTERS, type CommentFilter } from './moderation/comment-filter.js';
import { CommentPipeline } from './moderation/comment-pipeline.service.js';
import { SensitiveWordFilter } from './moderation/sensitive-words/sensitive-word.filter.js';
import { PageModule } from './page/page.module.js';
import { PresenceModule } from './presence/presence.module.js';
import { PublishModule } from './publish/publish.module.js';
import { RoomsModule } from './rooms/rooms.module.js';
import { MonitoringModule } from './stats/monitoring.module.js';
import { StatsModule } from './stats/stats.module.js';

/**
 * The whole live-comment service as one module: the /connect gateway, rooms, batching,
 * the publishing and monitoring routes and the room page. A host app imports it with
 * forRoot (settings inline) or forRootAsync (settings from ConfigService or anywhere),
 * and extends it with filters, an authenticator or a broker of its own.
 */
@Module({})
export class DanmakuModule {
  static forRoot(options: DanmakuModuleOptions = {}): DynamicModule {
    return DanmakuModule.assemble(options, { provide: DANMAKU_SETTINGS, useValue: options.settings ?? {} });
  }

  static forRootAsync(options: DanmakuModuleAsyncOptions): DynamicModule {
    return DanmakuModule.assemble(options, {
      provide: DANMAKU_SETTINGS,
      useFactory: options.useFactory,
      inject: options.inject ?? [],
    });
  }

  private static assemble(
    options: DanmakuExtensions & { routePrefix?: string; roomPage?: boolean },
    settings: Provider,
  ): DynamicModule {
    const prefix = (options.routePrefix ?? '').replace(/^\/+|\/+$/g, '');
    const routed: Type[] = [PublishModule, MonitoringModule, ...(options.roomPage === false ? [] : [PageModule])];
    const filters = options.filters ?? [];
    const broker: Provider[] = options.broker ? [{ provide: Broker, useClass: options.broker }] : [];
    return {
      module: DanmakuModule,
      // Config, broker, events and extension points are visible to every module of the
      // service and to the host app (to listen to events or reload the word list).
      global: true,
      imports: [
        ...(options.imports ?? []),
        ...(options.broker ? [PresenceModule.local()] : [BrokerModule, PresenceModule.shared()]),
        RoomsModule,
        StatsModule,
        EventsModule,
        DeliveryModule,
        BatchModule,
        GatewayModule,
        ...routed,
        ...(prefix ? [RouterModule.register([{ path: prefix, module: DanmakuModule, children: routed }])] : []),
      ],
      providers: [
        settings,
        { provide: DANMAKU_OPTIONS, useValue: options },
        { provide: DANMAKU_ROUTE_PREFIX, useValue: prefix },
        {
          provide: DanmakuConfig,
          inject: [DANMAKU_SETTINGS],
          useFactory: (values: DanmakuSettings) => validateConfig(values as Record<string, unknown>),
        },
        ...(options.providers ?? []),
        ...filters,
        SensitiveWordFilter,
        {
          provide: COMMENT_FILTERS,
          inject: [SensitiveWordFilter, ...filters],
          useFactory: (words: SensitiveWordFilter, ...custom: CommentFilter[]) => [
            ...(words.configured ? [words] : []),
            ...custom,
          ],
        },
        CommentPipeline,
        { provide: ViewerAuthenticator, useClass: options.authenticator ?? JwtViewerAuthenticator },
        ...broker,
      ],
      exports: [
        DanmakuConfig,
        DANMAKU_OPTIONS,
        DANMAKU_ROUTE_PREFIX,
        COMMENT_FILTERS,
        CommentPipeline,
        SensitiveWordFilter,
        ViewerAuthenticator,
        EventsModule,
        RoomsModule,
        StatsModule,
        ...(options.broker ? [Broker] : [BrokerModule]),
        PresenceModule,
        // The host app shares the instances its extensions use (its mute list, its sessions).
        ...(options.providers ?? []).map((provider) => ('provide' in provider ? provider.provide : provider)),
        ...filters,
      ],
    };
  }
}
