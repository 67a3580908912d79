import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { StatsModule } from '../stats/stats.module.js';
import { BatchService } from './batch.service.js';
import { PendingSeqs } from './pending-seqs.js';
import { PushFrameEncoder } from './push-frame-encoder.js';
import { ReplayService } from './replay.service.js';

@Module({
  imports: [DeliveryModule, RoomsModule, StatsModule],
  providers: [BatchService, PushFrameEncoder, ReplayService, { provide: PendingSeqs, useExisting: BatchService }],
  exports: [BatchService, ReplayService],
})
export class BatchModule {}
