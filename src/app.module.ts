import { type DynamicModule, Module } from '@nestjs/common';
import type { DanmakuConfig } from './config/danmaku-config.js';
import { DanmakuModule } from './danmaku.module.js';

/**
 * The standalone server: DanmakuModule configured from the environment. main.ts
 * validates the environment before Nest starts (it decides on WORKERS first) and hands
 * the result over, which DanmakuModule uses as it is.
 */
@Module({})
export class AppModule {
  static forConfig(config: DanmakuConfig): DynamicModule {
    return { module: AppModule, imports: [DanmakuModule.forRoot({ settings: config })] };
  }
}
