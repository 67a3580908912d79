import { Module } from '@nestjs/common';
import { BatchModule } from '../batch/batch.module.js';
import { EventsModule } from '../events/events.module.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { PublishModule } from '../publish/publish.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { StatsModule } from '../stats/stats.module.js';
import { CommentRateGuard, MembershipRateGuard } from './rate-limit.guards.js';
import { DanmakuGateway } from './danmaku.gateway.js';
import { HeartbeatService } from './heartbeat.service.js';
import { OnlineAnnouncer } from './online-announcer.service.js';
import { ServerLifecycle } from './server-lifecycle.js';
import { ShutdownService } from './shutdown.service.js';
import { UpgradeVerifier } from './upgrade-verifier.js';
import { ViewerSessions } from './viewer-sessions.service.js';

@Module({
  imports: [BatchModule, DeliveryModule, EventsModule, PublishModule, RoomsModule, StatsModule],
  providers: [
    DanmakuGateway,
    ViewerSessions,
    CommentRateGuard,
    MembershipRateGuard,
    UpgradeVerifier,
    HeartbeatService,
    OnlineAnnouncer,
    ShutdownService,
    ServerLifecycle,
  ],
  exports: [UpgradeVerifier, ServerLifecycle],
})
export class GatewayModule {}
