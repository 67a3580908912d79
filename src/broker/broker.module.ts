import { Module } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { REDIS_LINK, RedisModule } from '../redis/redis.module.js';
import type { RedisLink } from '../redis/redis-link.js';
import { Broker } from './broker.js';
import { MemoryBroker } from './memory-broker.js';
import { RedisBroker } from './redis-broker.js';

/** Provides the Broker: in memory by default, through Redis when REDIS_URL is set. */
@Module({
  imports: [RedisModule],
  providers: [
    {
      provide: Broker,
      inject: [DanmakuConfig, REDIS_LINK],
      useFactory: async (config: DanmakuConfig, link: RedisLink | null): Promise<Broker> => {
        if (link === null) return new MemoryBroker(config);
        const broker = new RedisBroker(config, link);
        await broker.connect();
        return broker;
      },
    },
  ],
  exports: [Broker],
})
export class BrokerModule {}
