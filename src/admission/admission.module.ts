import { type DynamicModule, Module } from '@nestjs/common';
import { BatchModule } from '../batch/batch.module.js';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { StatsModule } from '../stats/stats.module.js';
import { Admission } from './admission.service.js';

/** Overload control: the one verdict every publish path asks for (Admission). */
@Module({
  providers: [Admission],
  exports: [Admission],
})
export class AdmissionModule {
  static register(scope: DanmakuScope): DynamicModule {
    return scope.module(AdmissionModule, () => ({
      imports: [scope.core, BatchModule.register(scope), DeliveryModule.register(scope), StatsModule],
    }));
  }
}
