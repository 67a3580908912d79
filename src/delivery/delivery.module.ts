import { type DynamicModule, Module } from '@nestjs/common';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { EventsModule } from '../events/events.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { StatsModule } from '../stats/stats.module.js';
import { FanOutService } from './fan-out.service.js';

@Module({
  providers: [FanOutService],
  exports: [FanOutService],
})
export class DeliveryModule {
  static register(scope: DanmakuScope): DynamicModule {
    return scope.module(DeliveryModule, () => ({
      imports: [scope.core, EventsModule, RoomsModule.register(scope), StatsModule],
    }));
  }
}
