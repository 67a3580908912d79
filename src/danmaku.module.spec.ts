import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import type { WebSocket } from 'ws';
import { Test } from '@nestjs/testing';
import { AppModule } from './app.module.js';
import { BatchService } from './batch/batch.service.js';
import { Broker } from './broker/broker.js';
import { MemoryBroker } from './broker/memory-broker.js';
import { DanmakuConfig } from './config/danmaku-config.js';
import { validateConfig } from './config/validate-config.js';
import { DANMAKU_ROUTE_PREFIX } from './core/danmaku-tokens.js';
import { DanmakuModule } from './danmaku.module.js';
import { FanOutService } from './delivery/fan-out.service.js';
import { DanmakuEvents } from './events/danmaku-events.js';
import { DanmakuGateway } from './gateway/danmaku.gateway.js';
import { JwtViewerAuthenticator } from './gateway/jwt-viewer-authenticator.js';
import { type Viewer, ViewerAuthenticator } from './gateway/viewer-authenticator.js';
import {
  accept,
  COMMENT_FILTERS,
  type CommentDecision,
  type CommentFilter,
  CommentRejectedError,
  reject,
} from './moderation/comment-filter.js';
import type { CandidateComment } from './protocol/candidate-comment.js';
import { CommentPipeline } from './moderation/comment-pipeline.service.js';
import { PageController } from './page/page.controller.js';
import { LocalPresence } from './presence/local-presence.js';
import { Presence } from './presence/presence.js';
import { PublishService } from './publish/publish.service.js';
import { testConnection } from '../test/support/connections.js';
import { RoomService } from './rooms/room.service.js';
import { StatsService } from './stats/stats.service.js';

@Injectable()
class FirstFilter implements CommentFilter {
  review(): CommentDecision {
    return accept();
  }
}
@Injectable()
class SecondFilter implements CommentFilter {
  review(): CommentDecision {
    return accept();
  }
}
@Injectable()
class NoTrolls implements CommentFilter {
  review(comment: CandidateComment): CommentDecision {
    return comment.user === 'troll' ? reject('no trolls') : accept();
  }
}
@Injectable()
class EveryoneIsBob extends ViewerAuthenticator {
  authenticate(): Viewer {
    return { user: 'bob' };
  }
}
@Injectable()
class CustomBroker extends MemoryBroker {
  readonly followed = new Set<string>();
  override follow(room: string): void {
    this.followed.add(room);
  }
  override unfollow(room: string): void {
    this.followed.delete(room);
  }
}

// A host app's own pieces: a provider in `providers`, one from a module in `imports`,
// extensions that inject them, and a service of the host's that injects the shared ones.
@Injectable()
class MuteList {
  readonly muted = new Set<string>();
}
@Injectable()
class SessionStore {
  userFor(session: string): string | undefined {
    return session === 'alice-session' ? 'alice' : undefined;
  }
}
@Module({ providers: [SessionStore], exports: [SessionStore] })
class SessionsModule {}
@Injectable()
class MutedUsers implements CommentFilter {
  constructor(readonly muteList: MuteList) {}
  review(comment: CandidateComment): CommentDecision {
    return this.muteList.muted.has(comment.user ?? '') ? reject('muted') : accept();
  }
}
@Injectable()
class SessionAuthenticator extends ViewerAuthenticator {
  constructor(readonly sessions: SessionStore) {
    super();
  }
  authenticate(): Viewer | null {
    const user = this.sessions.userFor('alice-session');
    return user ? { user } : null;
  }
}
@Injectable()
class AuditedBroker extends MemoryBroker {
  constructor(
    config: DanmakuConfig,
    readonly muteList: MuteList,
  ) {
    super(config);
  }
}
@Injectable()
class ModerationDesk {
  constructor(
    readonly muteList: MuteList,
    readonly filter: MutedUsers,
    readonly events: DanmakuEvents,
    readonly publisher: PublishService,
  ) {}
}

describe('DanmakuModule', () => {
  it('validates forRoot settings with the environment schema', async () => {
    const module = await Test.createTestingModule({
      imports: [DanmakuModule.forRoot({ settings: { BATCH_WINDOW_MS: 50, SHARDS: '64' } })],
    }).compile();
    const config = module.get(DanmakuConfig);
    expect(config.BATCH_WINDOW_MS).toBe(50);
    expect(config.SHARDS).toBe(64);
    expect(config.HISTORY_SIZE).toBe(1000);
    await module.close();
  });

  it('fails to start on a bad setting, naming it', async () => {
    await expect(
      Test.createTestingModule({ imports: [DanmakuModule.forRoot({ settings: { SHARDS: 3 } })] }).compile(),
    ).rejects.toThrow(/SHARDS=3.*power of two/);
  });

  it('resolves settings asynchronously with forRootAsync', async () => {
    const module = await Test.createTestingModule({
      imports: [DanmakuModule.forRootAsync({ useFactory: async () => ({ COMMENT_RATE: '7' }) })],
    }).compile();
    expect(module.get(DanmakuConfig).COMMENT_RATE).toBe(7);
    await module.close();
  });

  it('resolves settings from a factory class with forRootAsync', async () => {
    @Injectable()
    class LiveSettings {
      create() {
        return { COMMENT_RATE: '9' };
      }
    }
    const module = await Test.createTestingModule({ imports: [DanmakuModule.forRootAsync({ useClass: LiveSettings })] }).compile();
    expect(module.get(DanmakuConfig).COMMENT_RATE).toBe(9);
    await module.close();
  });

  it('uses the defaults for the extension points', async () => {
    const module = await Test.createTestingModule({ imports: [DanmakuModule.forRoot()] }).compile();
    expect(module.get(ViewerAuthenticator)).toBeInstanceOf(JwtViewerAuthenticator);
    expect(module.get(Broker)).toBeInstanceOf(MemoryBroker);
    expect(module.get(Presence)).toBeInstanceOf(LocalPresence);
    expect(module.get(COMMENT_FILTERS)).toEqual([]);
    await module.close();
  });

  it('plugs in the app’s filters (in order, after the word filter), authenticator and broker', async () => {
    const module = await Test.createTestingModule({
      imports: [
        DanmakuModule.forRoot({
          filters: [FirstFilter, SecondFilter],
          authenticator: EveryoneIsBob,
          broker: CustomBroker,
          sensitiveWords: ['x'],
        }),
      ],
    }).compile();
    const filters = module.get<CommentFilter[]>(COMMENT_FILTERS);
    expect(filters.map((f) => f.constructor.name)).toEqual(['SensitiveWordFilter', 'FirstFilter', 'SecondFilter']);
    expect(module.get(ViewerAuthenticator)).toBeInstanceOf(EveryoneIsBob);
    expect(module.get(Broker)).toBeInstanceOf(CustomBroker);
    await module.close();
  });

  it('has the app’s broker follow the rooms with members here, and counts them locally without touching REDIS_URL', async () => {
    // Nothing listens on port 1: a connection attempt would fail the start.
    const module = await Test.createTestingModule({
      imports: [DanmakuModule.forRoot({ broker: CustomBroker, settings: { REDIS_URL: 'redis://127.0.0.1:1' } })],
    }).compile();
    await module.init();
    const broker = module.get<CustomBroker>(Broker);
    const rooms = module.get(RoomService);
    const viewer = testConnection(1, {} as WebSocket, undefined);
    rooms.join(viewer, 'lobby');
    expect([...broker.followed]).toEqual(['lobby']);
    expect(module.get(Presence)).toBeInstanceOf(LocalPresence);
    expect(await module.get(Presence).online('lobby')).toBe(1);
    rooms.disconnect(viewer);
    expect([...broker.followed]).toEqual([]);
    await module.close();
  });

  it('runs the filters for comments published through the service, without a socket', async () => {
    const module = await Test.createTestingModule({ imports: [DanmakuModule.forRoot({ filters: [NoTrolls] })] }).compile();
    const publisher = module.get(PublishService);
    await expect(publisher.publish('room', [{ text: 'hi', user: 'troll' }])).rejects.toBeInstanceOf(CommentRejectedError);
    expect(await publisher.publish('room', [{ text: 'hi', user: 'alice' }])).toEqual([{ id: expect.any(String), seq: 1 }]);
    await module.close();
  });

  it('builds its module graph without a global: settings from ConfigService, the gateway and one of each provider', async () => {
    const module = await Test.createTestingModule({
      imports: [
        DanmakuModule.forRootAsync({
          isGlobal: false,
          imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ LIVE_WINDOW_MS: '50' })] })],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ BATCH_WINDOW_MS: config.get('LIVE_WINDOW_MS') }),
          routePrefix: '/live/',
          roomPage: undefined,
        }),
      ],
    }).compile();
    expect(module.get(DanmakuGateway)).toBeInstanceOf(DanmakuGateway);
    expect(module.get(PageController)).toBeInstanceOf(PageController);
    expect(module.get(DanmakuConfig).BATCH_WINDOW_MS).toBe(50);
    expect(module.get(DANMAKU_ROUTE_PREFIX)).toBe('live');
    const shared = [DanmakuConfig, RoomService, Broker, DanmakuEvents, StatsService, CommentPipeline, FanOutService, BatchService];
    for (const token of shared) {
      expect(module.get(token, { strict: false, each: true }), token.name).toHaveLength(1);
    }
    await module.close();
  });

  it('instantiates the host’s extensions beside its providers and modules, and shares the instances with the host', async () => {
    @Module({
      imports: [
        DanmakuModule.forRoot({
          isGlobal: false,
          imports: [SessionsModule],
          providers: [MuteList],
          filters: [MutedUsers],
          authenticator: SessionAuthenticator,
          broker: AuditedBroker,
        }),
      ],
      providers: [ModerationDesk],
    })
    class HostModule {}
    const module = await Test.createTestingModule({ imports: [HostModule] }).compile();
    const desk = module.get(ModerationDesk);
    desk.muteList.muted.add('troll');
    await expect(desk.publisher.publish('room', [{ text: 'hi', user: 'troll' }])).rejects.toBeInstanceOf(CommentRejectedError);
    expect(desk.filter.muteList).toBe(desk.muteList);
    expect(module.get<AuditedBroker>(Broker).muteList).toBe(desk.muteList);
    expect(module.get(ViewerAuthenticator)).toBeInstanceOf(SessionAuthenticator);
    expect(module.get<SessionAuthenticator>(ViewerAuthenticator).authenticate()).toEqual({ user: 'alice' });
    await module.close();
  });

  it('is visible to every module of the host unless isGlobal is false', async () => {
    @Module({ providers: [ModerationDesk] })
    class FeatureModule {}
    const withGlobal = await Test.createTestingModule({
      imports: [DanmakuModule.forRoot({ providers: [MuteList], filters: [MutedUsers] }), FeatureModule],
    }).compile();
    expect(withGlobal.get(ModerationDesk).events).toBe(withGlobal.get(DanmakuEvents));
    await withGlobal.close();
    await expect(
      Test.createTestingModule({
        imports: [DanmakuModule.forRoot({ isGlobal: false, providers: [MuteList], filters: [MutedUsers] }), FeatureModule],
      }).compile(),
    ).rejects.toThrow(/ModerationDesk/);
  });

  it('takes the DanmakuConfig the standalone server validated as it is', async () => {
    const config = validateConfig({ SHARDS: '32' });
    const module = await Test.createTestingModule({ imports: [AppModule.forConfig(config)] }).compile();
    expect(module.get(DanmakuConfig)).toBe(config);
    expect(module.get(RoomService).shardCount).toBe(32);
    await module.close();
  });
});
