import { Module } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { ConfigError } from '../config/validate-config.js';
import { Broker } from './broker.js';
import { MemoryBroker } from './memory-broker.js';

/** Provides the Broker; the in-memory engine is the default. */
@Module({
  providers: [
    {
      provide: Broker,
      inject: [DanmakuConfig],
      useFactory: (config: DanmakuConfig): Broker => {
        // Running single-process while the operator asked for shared rooms would split
        // every room silently; refuse instead.
        if (config.REDIS_URL !== undefined) {
          throw new ConfigError('REDIS_URL is set, but this version has no Redis broker yet; unset it to run in memory');
        }
        return new MemoryBroker(config);
      },
    },
  ],
  exports: [Broker],
})
export class BrokerModule {}
