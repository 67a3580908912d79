import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../config/validate-config.js';
import type { DanmakuModuleExtras } from '../../core/danmaku-scope.js';
import { SensitiveWordFilter } from './sensitive-word.filter.js';

const comment = (text: string) => ({ room: 'r', text });

function filterWith(settings: Record<string, string>, options: Pick<DanmakuModuleExtras, 'sensitiveWords'> = { sensitiveWords: [] }): SensitiveWordFilter {
  const filter = new SensitiveWordFilter(validateConfig(settings), options);
  filter.onModuleInit();
  return filter;
}

describe('SensitiveWordFilter', () => {
  let filter: SensitiveWordFilter | undefined;
  afterEach(() => filter?.onApplicationShutdown());

  it('masks words from the options by default', () => {
    filter = filterWith({}, { sensitiveWords: ['坏话'] });
    expect(filter.configured).toBe(true);
    expect(filter.review(comment('这是坏话'))).toEqual({ action: 'rewrite', comment: { room: 'r', text: '这是**' } });
    expect(filter.review(comment('这是好话'))).toEqual({ action: 'accept' });
  });

  it('rejects instead in reject mode', () => {
    filter = filterWith({ SENSITIVE_WORDS_MODE: 'reject' }, { sensitiveWords: ['spoiler'] });
    expect(filter.review(comment('BIG SPOILER'))).toEqual({ action: 'reject', reason: 'the comment contains a blocked word' });
  });

  it('is not configured without a file or a list', () => {
    filter = filterWith({});
    expect(filter.configured).toBe(false);
  });

  it('reads a word file (skipping # lines) and reloads it when it changes, without a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'words-')), 'words.txt');
    writeFileSync(file, '# blocked words\nalpha\n\n');
    filter = filterWith({ SENSITIVE_WORDS_FILE: file });
    expect(filter.wordCount).toBe(1);
    expect(filter.review(comment('alpha beta')).action).toBe('rewrite');
    expect(filter.review(comment('beta')).action).toBe('accept');

    writeFileSync(file, 'alpha\nbeta\n');
    const current = filter;
    await vi.waitFor(() => expect(current.wordCount).toBe(2), { timeout: 5000, interval: 50 });
    expect(filter.review(comment('beta'))).toEqual({ action: 'rewrite', comment: { room: 'r', text: '****' } });
  });

  it('swaps the list on reload(words)', () => {
    filter = filterWith({}, { sensitiveWords: ['one'] });
    filter.reload(['two']);
    expect(filter.review(comment('one')).action).toBe('accept');
    expect(filter.review(comment('two')).action).toBe('rewrite');
  });
});
