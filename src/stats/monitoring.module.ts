import { Module } from '@nestjs/common';
import { GatewayModule } from '../gateway/gateway.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { MetricsService } from './metrics.service.js';
import { StatsController } from './stats.controller.js';
import { StatsModule } from './stats.module.js';

/** /stats, /healthz and /metrics. */
@Module({
  imports: [StatsModule, RoomsModule, GatewayModule],
  controllers: [StatsController],
  providers: [MetricsService],
})
export class MonitoringModule {}
