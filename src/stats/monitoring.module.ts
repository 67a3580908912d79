import { type DynamicModule, Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { MetricsService } from './metrics.service.js';
import { ServerTotals } from './server-totals.service.js';
import { StatsSnapshot } from './stats-snapshot.js';
import { StatsController } from './stats.controller.js';
import { StatsModule } from './stats.module.js';

/** /stats, /healthz and /metrics. */
@Module({
  controllers: [StatsController],
  providers: [MetricsService, StatsSnapshot, ServerTotals],
})
export class MonitoringModule {
  static register(scope: DanmakuScope): DynamicModule {
    return scope.module(MonitoringModule, () => ({
      imports: [scope.core, BrokerModule.register(scope), RoomsModule.register(scope), StatsModule],
    }));
  }
}
