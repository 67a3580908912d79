import { DanmakuEvents } from '../events/danmaku-events.js';
import type { CandidateComment } from '../protocol/candidate-comment.js';
import { accept, type CommentFilter, CommentRejectedError, reject, rewrite } from './comment-filter.js';
import { CommentPipeline } from './comment-pipeline.service.js';

const comment = (text: string, user?: string): CandidateComment => ({ room: 'r', text, user });
const filter = (review: CommentFilter['review']): CommentFilter => ({ review });
const context = { origin: 'websocket' as const };

describe('CommentPipeline', () => {
  it('passes comments through untouched when there are no filters', async () => {
    const pipeline = new CommentPipeline([], new DanmakuEvents());
    const input = [comment('a')];
    expect(pipeline.isEmpty).toBe(true);
    expect(await pipeline.review(input, context)).toBe(input);
  });

  it('runs filters in order, each seeing the previous rewrite', async () => {
    const seen: string[] = [];
    const pipeline = new CommentPipeline(
      [
        filter((c) => (seen.push(`1:${c.text}`), rewrite({ ...c, text: c.text.toUpperCase() }))),
        filter((c) => (seen.push(`2:${c.text}`), accept())),
        filter(async (c) => (seen.push(`3:${c.text}`), rewrite({ ...c, text: `${c.text}!` }))),
      ],
      new DanmakuEvents(),
    );
    const [out] = await pipeline.review([comment('hey')], context);
    expect(out.text).toBe('HEY!');
    expect(seen).toEqual(['1:hey', '2:HEY', '3:HEY']);
  });

  it('stops at the first rejection, names the item, and reports it as an event', async () => {
    const events = new DanmakuEvents();
    const rejected: string[] = [];
    events.commentRejected$.subscribe((event) => rejected.push(`${event.comment.user}: ${event.reason} (${event.origin})`));
    const later = vi.fn(() => accept());
    const pipeline = new CommentPipeline(
      [filter((c) => (c.user === 'troll' ? reject('muted') : accept())), filter(later)],
      events,
    );
    const attempt = pipeline.review([comment('ok', 'alice'), comment('boo', 'troll')], context);
    await expect(attempt).rejects.toBeInstanceOf(CommentRejectedError);
    await expect(attempt).rejects.toMatchObject({ reason: 'muted', index: 1 });
    expect(later).toHaveBeenCalledTimes(1);
    expect(rejected).toEqual(['troll: muted (websocket)']);
  });

  it('accepts a batch whole, rewriting each item independently', async () => {
    const pipeline = new CommentPipeline(
      [filter((c) => (c.text.includes('x') ? rewrite({ ...c, text: c.text.replaceAll('x', '*') }) : accept()))],
      new DanmakuEvents(),
    );
    const out = await pipeline.review([comment('axb'), comment('plain'), comment('xx')], context);
    expect(out.map((c) => c.text)).toEqual(['a*b', 'plain', '**']);
  });
});
