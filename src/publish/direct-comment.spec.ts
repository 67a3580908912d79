import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CommentBatchDto } from './dto/comment-batch.dto.js';
import { CommentDto } from './dto/comment.dto.js';
import { directBatch, directComment } from './direct-comment.js';

/** What the Nest route's InputValidationPipe does with a body: the comment, or undefined on a 400. */
function throughPipe<T extends object>(dto: new () => T, body: unknown): T | undefined {
  const instance = plainToInstance(dto, body ?? {});
  if (typeof instance !== 'object' || validateSync(instance as object, { whitelist: true }).length > 0) return undefined;
  return instance as T;
}

const defined = (value: object) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));

const bodies: unknown[] = [
  { text: 'hello' },
  { text: 'hello', color: '#a1B2c3', mode: 'top', user: 'host', priority: true },
  { text: 'x', extra: 'stripped', __proto__: { text: 'inherited' } },
  { text: '弹'.repeat(200) },
  { text: '😀'.repeat(200) },
  { text: '😀'.repeat(201) },
  { text: 'x'.repeat(201) },
  { text: '' },
  { text: 5 },
  {},
  null,
  [],
  'text',
  42,
  { text: 'x', color: 'blue' },
  { text: 'x', color: '#fff' },
  { text: 'x', color: null },
  { text: 'x', color: 1 },
  { text: 'x', mode: 'spin' },
  { text: 'x', mode: null },
  { text: 'x', user: '' },
  { text: 'x', user: 'u'.repeat(64) },
  { text: 'x', user: 'u'.repeat(65) },
  { text: 'x', user: '😀'.repeat(40) },
  { text: 'x', user: 7 },
  { text: 'x', priority: 'yes' },
  { text: 'x', priority: 0 },
  { text: 'x', priority: false },
];

describe('directComment reads a body as the Nest route does', () => {
  it.each(bodies.map((body) => [JSON.stringify(body) ?? String(body), body]))('%s', (_, body) => {
    const direct = directComment(body);
    const nest = throughPipe(CommentDto, body);
    // Never looser than the pipe; where it accepts, the same fields come out.
    if (direct) expect(defined(direct)).toEqual(defined(nest!));
    // Equal verdicts, except for the null fields it leaves to the pipe.
    const nullField = typeof body === 'object' && body !== null && Object.values(body).includes(null);
    if (!nullField) expect(Boolean(direct)).toBe(Boolean(nest));
  });

  it('accepts the common cases (the point of the direct route)', () => {
    expect(directComment({ text: 'hello', color: '#ff0000', mode: 'bottom', user: 'u', priority: false })).toEqual({
      text: 'hello',
      color: '#ff0000',
      mode: 'bottom',
      user: 'u',
      priority: false,
    });
  });
});

describe('directBatch reads a batch as the Nest route does', () => {
  const item = { text: 'ok' };
  it.each([
    ['one item', { items: [item] }],
    ['1000 items', { items: Array.from({ length: 1000 }, () => item) }],
    ['1001 items', { items: Array.from({ length: 1001 }, () => item) }],
    ['no items', { items: [] }],
    ['items not an array', { items: item }],
    ['a bad item', { items: [item, { text: '' }] }],
    ['a non-object item', { items: [item, 'text'] }],
    ['no items field', {}],
  ])('%s', (_, body) => {
    const direct = directBatch(body);
    const nest = throughPipe(CommentBatchDto, body);
    expect(Boolean(direct)).toBe(Boolean(nest));
    if (direct) expect(direct.map(defined)).toEqual(nest!.items.map(defined));
  });
});
