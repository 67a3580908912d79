import { Module } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { RoomService } from '../rooms/room.service.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { Broker } from './broker.js';
import { MemoryBroker } from './memory-broker.js';
import { RedisBroker } from './redis-broker.js';

/**
 * Provides the Broker: in memory by default, through Redis when REDIS_URL is set. A Redis
 * that cannot be reached stops the start-up with an error naming REDIS_URL.
 */
@Module({
  imports: [RoomsModule],
  providers: [
    {
      provide: Broker,
      inject: [DanmakuConfig, RoomService],
      useFactory: async (config: DanmakuConfig, rooms: RoomService): Promise<Broker> => {
        if (config.REDIS_URL === undefined) return new MemoryBroker(config);
        const broker = new RedisBroker(config, rooms);
        await broker.connect();
        return broker;
      },
    },
  ],
  exports: [Broker],
})
export class BrokerModule {}
