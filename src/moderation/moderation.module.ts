import { type DynamicModule, Module } from '@nestjs/common';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { EventsModule } from '../events/events.module.js';
import { COMMENT_FILTERS, type CommentFilter } from './comment-filter.js';
import { CommentPipeline } from './comment-pipeline.service.js';
import { SensitiveWordFilter } from './sensitive-words/sensitive-word.filter.js';

/**
 * The comment filters, built-in and the host's, and the pipeline that runs them. The
 * host's filter classes are providers here, next to the host's modules they may inject
 * from, and are exported so the host app can inject the same instances.
 */
@Module({})
export class ModerationModule {
  static register(scope: DanmakuScope): DynamicModule {
    const { filters, imports } = scope.options;
    return scope.module(ModerationModule, () => ({
      imports: [scope.core, EventsModule, ...imports],
      providers: [
        ...filters,
        SensitiveWordFilter,
        {
          provide: COMMENT_FILTERS,
          inject: [SensitiveWordFilter, ...filters],
          useFactory: (words: SensitiveWordFilter, ...custom: CommentFilter[]) => [
            ...(words.configured ? [words] : []),
            ...custom,
          ],
        },
        CommentPipeline,
      ],
      exports: [SensitiveWordFilter, COMMENT_FILTERS, CommentPipeline, ...filters],
    }));
  }
}
