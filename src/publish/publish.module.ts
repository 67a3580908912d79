import { type DynamicModule, Module } from '@nestjs/common';
import { AdmissionModule } from '../admission/admission.module.js';
import { BrokerModule } from '../broker/broker.module.js';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { EventsModule } from '../events/events.module.js';
import { ModerationModule } from '../moderation/moderation.module.js';
import { PresenceModule } from '../presence/presence.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { StatsModule } from '../stats/stats.module.js';
import { AdminGuard } from './admin.guard.js';
import { AdmissionGuard } from './admission.guard.js';
import { CommentsController } from './comments.controller.js';
import { DirectPublishRoute } from './direct-publish.route.js';
import { GoPushController } from './go-push.controller.js';
import { PublishService } from './publish.service.js';
import { UserMessagesController } from './user-messages.controller.js';

@Module({
  controllers: [CommentsController, GoPushController, UserMessagesController],
  providers: [PublishService, AdminGuard, AdmissionGuard, DirectPublishRoute],
  exports: [PublishService],
})
export class PublishModule {
  static register(scope: DanmakuScope): DynamicModule {
    return scope.module(PublishModule, () => ({
      imports: [
        scope.core,
        AdmissionModule.register(scope),
        BrokerModule.register(scope),
        EventsModule,
        ModerationModule.register(scope),
        PresenceModule.register(scope),
        RoomsModule.register(scope),
        StatsModule,
      ],
    }));
  }
}
