import { Module } from '@nestjs/common';
import { DeliveryTimings } from './delivery-timings.js';
import { StatsService } from './stats.service.js';

/** The counters and timings alone, so the hot-path modules can bump them without pulling in HTTP. */
@Module({
  providers: [StatsService, DeliveryTimings],
  exports: [StatsService, DeliveryTimings],
})
export class StatsModule {}
