import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { StatsModule } from '../stats/stats.module.js';
import { BatchService } from './batch.service.js';
import { PushFrameEncoder } from './push-frame-encoder.js';

@Module({
  imports: [DeliveryModule, RoomsModule, StatsModule],
  providers: [BatchService, PushFrameEncoder],
  exports: [BatchService, PushFrameEncoder],
})
export class BatchModule {}
