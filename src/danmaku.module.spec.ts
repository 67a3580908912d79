import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { Test } from '@nestjs/testing';
import { Broker } from './broker/broker.js';
import { MemoryBroker } from './broker/memory-broker.js';
import { DanmakuConfig } from './config/danmaku-config.js';
import { DanmakuModule } from './danmaku.module.js';
import { JwtViewerAuthenticator } from './gateway/jwt-viewer-authenticator.js';
import { type Viewer, ViewerAuthenticator } from './gateway/viewer-authenticator.js';
import {
  accept,
  COMMENT_FILTERS,
  type CandidateComment,
  type CommentDecision,
  type CommentFilter,
  CommentRejectedError,
  reject,
} from './moderation/comment-filter.js';
import { LocalPresence } from './presence/local-presence.js';
import { Presence } from './presence/presence.js';
import { PublishService } from './publish/publish.service.js';
import { Member } from './rooms/member.js';
import { RoomService } from './rooms/room.service.js';

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
    const viewer = new Member(1, {} as WebSocket, undefined);
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
});
