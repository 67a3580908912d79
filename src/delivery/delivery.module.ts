import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { StatsModule } from '../stats/stats.module.js';
import { FanOutService } from './fan-out.service.js';

@Module({
  imports: [EventsModule, RoomsModule, StatsModule],
  providers: [FanOutService],
  exports: [FanOutService],
})
export class DeliveryModule {}
