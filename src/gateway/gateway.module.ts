import { type DynamicModule, Module } from '@nestjs/common';
import { AdmissionModule } from '../admission/admission.module.js';
import { BatchModule } from '../batch/batch.module.js';
import { BrokerModule } from '../broker/broker.module.js';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { EventsModule } from '../events/events.module.js';
import { PublishModule } from '../publish/publish.module.js';
import { PresenceModule } from '../presence/presence.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { StatsModule } from '../stats/stats.module.js';
import { UserPushModule } from '../user-push/user-push.module.js';
import { CommentIngest } from './comment-ingest.js';
import { DirectMessages } from './direct-messages.js';
import { ProtocolExceptionFilter } from './protocol-exception.filter.js';
import { CommentRateGuard, MembershipRateGuard } from './rate-limit.guards.js';
import { DanmakuGateway } from './danmaku.gateway.js';
import { HeartbeatService } from './heartbeat.service.js';
import { JwtViewerAuthenticator } from './jwt-viewer-authenticator.js';
import { Membership } from './membership.js';
import { OnlineAnnouncer } from './online-announcer.service.js';
import { ShutdownService } from './shutdown.service.js';
import { UpgradeVerifier } from './upgrade-verifier.js';
import { ViewerAuthenticator } from './viewer-authenticator.js';
import { Connections } from './connections.service.js';

/** The /connect socket and who may open it: the host's authenticator or the JWT one. */
@Module({
  providers: [
    DanmakuGateway,
    CommentIngest,
    DirectMessages,
    Membership,
    ProtocolExceptionFilter,
    Connections,
    CommentRateGuard,
    MembershipRateGuard,
    UpgradeVerifier,
    HeartbeatService,
    OnlineAnnouncer,
    ShutdownService,
  ],
  exports: [UpgradeVerifier],
})
export class GatewayModule {
  static register(scope: DanmakuScope): DynamicModule {
    const { authenticator, imports } = scope.options;
    return scope.module(GatewayModule, () => ({
      imports: [
        scope.core,
        AdmissionModule.register(scope),
        BatchModule.register(scope),
        BrokerModule.register(scope),
        DeliveryModule.register(scope),
        EventsModule,
        PublishModule.register(scope),
        PresenceModule.register(scope),
        RoomsModule.register(scope),
        StatsModule,
        UserPushModule.register(scope),
        // The host's modules: its authenticator may depend on them.
        ...imports,
      ],
      providers: [{ provide: ViewerAuthenticator, useClass: authenticator ?? JwtViewerAuthenticator }],
      exports: [ViewerAuthenticator],
    }));
  }
}
