import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { RoomService } from '../rooms/room.service.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { Broker } from './broker.js';
import { MemoryBroker } from './memory-broker.js';
import { RedisBroker } from './redis-broker.js';

/**
 * Provides the Broker: the host's class when it brings one, else in memory by default and
 * through Redis when REDIS_URL is set. A Redis that cannot be reached stops the start-up
 * with an error naming REDIS_URL.
 */
@Module({})
export class BrokerModule {
  static register(scope: DanmakuScope): DynamicModule {
    const { broker, imports } = scope.options;
    return scope.module(BrokerModule, () => ({
      // The host's modules: its broker class may depend on them.
      imports: [scope.core, RoomsModule.register(scope), ...imports],
      providers: [broker ? { provide: Broker, useClass: broker } : configuredBroker],
      exports: [Broker],
    }));
  }
}

const configuredBroker: Provider = {
  provide: Broker,
  inject: [DanmakuConfig, RoomService],
  useFactory: async (config: DanmakuConfig, rooms: RoomService): Promise<Broker> => {
    if (config.REDIS_URL === undefined) return new MemoryBroker(config);
    const broker = new RedisBroker(config, rooms);
    await broker.connect();
    return broker;
  },
};
