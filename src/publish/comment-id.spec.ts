import { describe, expect, it } from 'vitest';
import { nextCommentId } from './comment-id.js';

describe('nextCommentId', () => {
  it('never repeats, and the ids of one process share their prefix', () => {
    const ids = Array.from({ length: 10_000 }, () => nextCommentId());
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.slice(0, 16))).size).toBe(1);
  });

  it('is safe in a URL and in JSON as it is', () => {
    for (let i = 0; i < 100; i++) expect(nextCommentId()).toMatch(/^[A-Za-z0-9_-]{17,}$/);
  });
});
