import { Injectable } from '@nestjs/common';
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
  type CommentDecision,
  type CommentFilter,
  CommentRejectedError,
  reject,
} from './moderation/comment-filter.js';
import type { CandidateComment } from './protocol/candidate-comment.js';
import { PublishService } from './publish/publish.service.js';

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
class CustomBroker extends MemoryBroker {}

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

  it('runs the filters for comments published through the service, without a socket', async () => {
    const module = await Test.createTestingModule({ imports: [DanmakuModule.forRoot({ filters: [NoTrolls] })] }).compile();
    const publisher = module.get(PublishService);
    await expect(publisher.publish('room', [{ text: 'hi', user: 'troll' }])).rejects.toBeInstanceOf(CommentRejectedError);
    expect(await publisher.publish('room', [{ text: 'hi', user: 'alice' }])).toEqual([{ id: expect.any(String), seq: 1 }]);
    await module.close();
  });
});
