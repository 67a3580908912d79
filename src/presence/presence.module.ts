import { type DynamicModule, Module } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { REDIS_LINK, RedisModule } from '../redis/redis.module.js';
import type { RedisLink } from '../redis/redis-link.js';
import { RoomService } from '../rooms/room.service.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { LocalPresence } from './local-presence.js';
import { Presence } from './presence.js';
import { RedisPresence } from './redis-presence.js';

/** Provides Presence, the online counts. */
@Module({})
export class PresenceModule {
  /** Counts shared through Redis, with the broker, when REDIS_URL is set; else this process's. */
  static shared(): DynamicModule {
    return {
      module: PresenceModule,
      imports: [RedisModule, RoomsModule],
      providers: [
        {
          provide: Presence,
          inject: [REDIS_LINK, RoomService, DanmakuConfig],
          useFactory: (link: RedisLink | null, rooms: RoomService, config: DanmakuConfig): Presence =>
            link === null ? new LocalPresence(rooms) : new RedisPresence(link, rooms, config),
        },
      ],
      exports: [Presence],
    };
  }

  /** This process's counts alone: beside a broker of the host app's own, which shares no Redis with us. */
  static local(): DynamicModule {
    return {
      module: PresenceModule,
      imports: [RoomsModule],
      providers: [{ provide: Presence, useClass: LocalPresence }],
      exports: [Presence],
    };
  }
}
