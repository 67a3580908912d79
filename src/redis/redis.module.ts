import { type DynamicModule, Module } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { RedisLink } from './redis-link.js';

/** The RedisLink when REDIS_URL is set; null when this process runs alone. */
export const REDIS_LINK = Symbol('REDIS_LINK');

/**
 * Opens the one link to Redis that the broker and presence share, when REDIS_URL is set.
 * A Redis that cannot be reached stops the start-up with an error naming REDIS_URL.
 */
@Module({
  providers: [
    {
      provide: REDIS_LINK,
      inject: [DanmakuConfig],
      useFactory: async (config: DanmakuConfig): Promise<RedisLink | null> => {
        if (config.REDIS_URL === undefined) return null;
        const link = new RedisLink({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER, timeoutMs: config.REDIS_TIMEOUT_MS });
        await link.connect();
        return link;
      },
    },
  ],
  exports: [REDIS_LINK],
})
export class RedisModule {
  static register(scope: DanmakuScope): DynamicModule {
    return scope.module(RedisModule, () => ({ imports: [scope.core] }));
  }
}
