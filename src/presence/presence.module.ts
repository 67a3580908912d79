import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { REDIS_LINK, RedisModule } from '../redis/redis.module.js';
import type { RedisLink } from '../redis/redis-link.js';
import { RoomService } from '../rooms/room.service.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { LocalPresence } from './local-presence.js';
import { Presence } from './presence.js';
import { RedisPresence } from './redis-presence.js';

/**
 * Provides Presence, the online counts: shared through Redis, beside the broker, when
 * REDIS_URL is set; this process's own beside a broker of the host app's, which shares no
 * Redis with us (ours is then never connected).
 */
@Module({})
export class PresenceModule {
  static register(scope: DanmakuScope): DynamicModule {
    const local = scope.options.broker !== undefined;
    return scope.module(PresenceModule, () => ({
      imports: local
        ? [scope.core, RoomsModule.register(scope)]
        : [scope.core, RoomsModule.register(scope), RedisModule.register(scope)],
      providers: [local ? { provide: Presence, useClass: LocalPresence } : sharedPresence],
      exports: [Presence],
    }));
  }
}

const sharedPresence: Provider = {
  provide: Presence,
  inject: [REDIS_LINK, RoomService, DanmakuConfig],
  useFactory: (link: RedisLink | null, rooms: RoomService, config: DanmakuConfig): Presence =>
    link === null ? new LocalPresence(rooms) : new RedisPresence(link, rooms, config),
};
