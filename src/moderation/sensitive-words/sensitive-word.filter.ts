import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { readFileSync, statSync } from 'node:fs';
import { DanmakuConfig } from '../../config/danmaku-config.js';
import type { DanmakuModuleExtras } from '../../core/danmaku-scope.js';
import { DANMAKU_OPTIONS } from '../../core/danmaku-tokens.js';
import type { CandidateComment } from '../../protocol/candidate-comment.js';
import { accept, type CommentDecision, type CommentFilter, reject, rewrite } from '../comment-filter.js';
import { SensitiveWordMatcher } from './sensitive-word-matcher.js';

/** How often the word file is checked for changes. */
const WATCH_INTERVAL_MS = 1000;

/**
 * The built-in word filter: masks matched words with '*' or rejects the comment
 * (SENSITIVE_WORDS_MODE). Words come from SENSITIVE_WORDS_FILE (one per line, '#'
 * comments) and the module's `sensitiveWords` option; the file is reloaded when it
 * changes, and `reload()` swaps the list at run time.
 */
@Injectable()
export class SensitiveWordFilter implements CommentFilter, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SensitiveWords');
  private matcher = new SensitiveWordMatcher([]);
  /** mtime and size of the word file as last loaded. */
  private loadedVersion = '';
  private watcher: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: DanmakuConfig,
    @Inject(DANMAKU_OPTIONS) private readonly options: Pick<DanmakuModuleExtras, 'sensitiveWords'>,
  ) {}

  /** Whether a word list was configured at all (else the filter stays out of the chain). */
  get configured(): boolean {
    return this.config.SENSITIVE_WORDS_FILE !== undefined || this.options.sensitiveWords.length > 0;
  }

  get wordCount(): number {
    return this.matcher.size;
  }

  onModuleInit(): void {
    this.reload();
    const file = this.config.SENSITIVE_WORDS_FILE;
    // Compared with the version actually loaded (fs.watchFile compares with a baseline it
    // takes later, so a change landing in between would never be seen).
    if (file) {
      this.watcher = setInterval(() => {
        if (this.versionOf(file) !== this.loadedVersion) this.reloadSafely();
      }, WATCH_INTERVAL_MS);
      this.watcher.unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.watcher);
  }

  /** Rebuilds the matcher from `words`, or from the configured file and option list. */
  reload(words?: Iterable<string>): void {
    this.matcher = new SensitiveWordMatcher(words ?? this.configuredWords());
    this.logger.log(`${this.matcher.size} sensitive words loaded`);
  }

  review(comment: CandidateComment): CommentDecision {
    if (this.config.SENSITIVE_WORDS_MODE === 'reject') {
      return this.matcher.matches(comment.text) ? reject('the comment contains a blocked word') : accept();
    }
    const masked = this.matcher.mask(comment.text);
    return masked === comment.text ? accept() : rewrite({ ...comment, text: masked });
  }

  private configuredWords(): string[] {
    const words = [...this.options.sensitiveWords];
    const file = this.config.SENSITIVE_WORDS_FILE;
    if (file) {
      this.loadedVersion = this.versionOf(file);
      for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
        if (!line.trimStart().startsWith('#')) words.push(line);
      }
    }
    return words;
  }

  private versionOf(file: string): string {
    try {
      const { mtimeMs, size } = statSync(file);
      return `${mtimeMs}:${size}`;
    } catch {
      return 'missing';
    }
  }

  private reloadSafely(): void {
    try {
      this.reload();
    } catch (error) {
      // Keep the previous list: a half-written or removed file must not unblock words.
      this.logger.error(`word list not reloaded: ${(error as Error).message}`);
    }
  }
}
