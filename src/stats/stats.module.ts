import { Module } from '@nestjs/common';
import { StatsService } from './stats.service.js';

/** The counters alone, so the hot-path modules can bump them without pulling in HTTP. */
@Module({
  providers: [StatsService],
  exports: [StatsService],
})
export class StatsModule {}
