import { type DynamicModule, Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { StatsModule } from '../stats/stats.module.js';
import { BatchService } from './batch.service.js';
import { PendingSeqs } from './pending-seqs.js';
import { PushFrameEncoder } from './push-frame-encoder.js';
import { ReplayService } from './replay.service.js';

@Module({
  providers: [BatchService, PushFrameEncoder, ReplayService, { provide: PendingSeqs, useExisting: BatchService }],
  exports: [BatchService, ReplayService],
})
export class BatchModule {
  static register(scope: DanmakuScope): DynamicModule {
    return scope.module(BatchModule, () => ({
      imports: [
        scope.core,
        BrokerModule.register(scope),
        DeliveryModule.register(scope),
        RoomsModule.register(scope),
        StatsModule,
      ],
    }));
  }
}
