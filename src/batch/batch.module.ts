import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { StatsModule } from '../stats/stats.module.js';
import { BatchService } from './batch.service.js';
import { PushFrameEncoder } from './push-frame-encoder.js';

@Module({
  imports: [BrokerModule, DeliveryModule, RoomsModule, StatsModule],
  providers: [BatchService, PushFrameEncoder],
  exports: [BatchService, PushFrameEncoder],
})
export class BatchModule {}
