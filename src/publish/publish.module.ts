import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { StatsModule } from '../stats/stats.module.js';
import { AdminGuard } from './admin.guard.js';
import { CommentsController } from './comments.controller.js';
import { DirectPublishRoute } from './direct-publish.route.js';
import { GoPushController } from './go-push.controller.js';
import { PublishService } from './publish.service.js';

@Module({
  imports: [EventsModule, RoomsModule, StatsModule],
  controllers: [CommentsController, GoPushController],
  providers: [PublishService, AdminGuard, DirectPublishRoute],
  exports: [PublishService],
})
export class PublishModule {}
