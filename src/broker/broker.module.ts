import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { REDIS_LINK, RedisModule } from '../redis/redis.module.js';
import type { RedisLink } from '../redis/redis-link.js';
import { Broker } from './broker.js';
import { MemoryBroker } from './memory-broker.js';
import { RedisBroker } from './redis-broker.js';

/**
 * Provides the Broker: the host's class when it brings one, else in memory by default and
 * through Redis (the shared RedisLink) when REDIS_URL is set.
 */
@Module({})
export class BrokerModule {
  static register(scope: DanmakuScope): DynamicModule {
    const { broker, imports } = scope.options;
    return scope.module(BrokerModule, () => ({
      // The host's modules: its broker class may depend on them.
      imports: broker ? [scope.core, ...imports] : [scope.core, RedisModule.register(scope)],
      providers: [broker ? { provide: Broker, useClass: broker } : configuredBroker],
      exports: [Broker],
    }));
  }
}

const configuredBroker: Provider = {
  provide: Broker,
  inject: [DanmakuConfig, REDIS_LINK],
  useFactory: async (config: DanmakuConfig, link: RedisLink | null): Promise<Broker> => {
    if (link === null) return new MemoryBroker(config);
    const broker = new RedisBroker(config, link);
    await broker.connect();
    return broker;
  },
};
