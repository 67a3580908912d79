import { Module } from '@nestjs/common';
import { DanmakuModule } from '../../src/index.js';
import { ActivityService } from './activity.service.js';
import { LinkFilter } from './link.filter.js';
import { ModerationController } from './moderation.controller.js';
import { MuteList } from './mute-list.js';
import { MuteListFilter } from './mute-list.filter.js';
import { SessionAuthenticator } from './session.authenticator.js';
import { SessionStore } from './session-store.js';

/**
 * An existing Nest app that adds live comments: DanmakuModule mounted under /live, with
 * the app's own session auth, a mute list and a link filter, the built-in word filter
 * and duplicate folding.
 */
@Module({
  imports: [
    DanmakuModule.forRoot({
      routePrefix: 'live',
      settings: {
        BATCH_WINDOW_MS: 100,
        FOLD_DUPLICATES: true,
        SENSITIVE_WORDS_MODE: 'mask',
        // Viewers are known by a session cookie, which a browser sends with any page's
        // socket: only this app's own pages may open one.
        ALLOWED_ORIGINS: process.env.ALLOWED_ORIGINS ?? 'http://localhost:3000,http://127.0.0.1:3000',
        // Overload control's threshold is the machine's business, not the app's: taken from
        // the environment when set (0 turns it off, e.g. on cores shared with a test run).
        ...(process.env.OVERLOAD_DELAY_MS === undefined ? {} : { OVERLOAD_DELAY_MS: process.env.OVERLOAD_DELAY_MS }),
      },
      sensitiveWords: ['傻瓜', 'darn'],
      filters: [MuteListFilter, LinkFilter],
      authenticator: SessionAuthenticator,
      // The extensions' own dependencies, created inside DanmakuModule and exported by
      // it, so ModerationController gets the same MuteList as MuteListFilter.
      providers: [SessionStore, MuteList],
    }),
  ],
  controllers: [ModerationController],
  providers: [ActivityService],
})
export class ModeratedRoomModule {}
