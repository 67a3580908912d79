import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { Allow, IsInt, IsOptional, IsString, Min, registerDecorator, ValidateIf, ValidateNested } from 'class-validator';
import { InputValidationPipe } from '../validation/input-validation.pipe.js';
import { compileDtoCheck } from './dto-check.js';
import { CommentBatchDto } from './dto/comment-batch.dto.js';
import { CommentDto } from './dto/comment.dto.js';

const pipe = new InputValidationPipe();

/** The fields the Nest route's pipe hands its handler, or 'rejected' for its 400. */
async function throughPipe(metatype: new () => object, raw: string): Promise<unknown> {
  try {
    return plain(await pipe.transform(JSON.parse(raw), { type: 'body', metatype }));
  } catch {
    return 'rejected';
  }
}

function direct(metatype: new () => object, raw: string): unknown {
  const checked = compileDtoCheck(metatype)(JSON.parse(raw));
  return checked === undefined ? 'rejected' : plain(checked);
}

/** What a handler can read: own fields, undefined ones left out. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const repeat = (text: string, times: number) => JSON.stringify(text.repeat(times));

/**
 * Request bodies as raw JSON text, as they come over the wire: JSON.parse makes "__proto__"
 * an own property, which an object literal here would not.
 */
const comments = [
  '{"text":"hello"}',
  '{"text":"hello","color":"#a1B2c3","mode":"top","user":"host","priority":true}',
  '{"text":"x","extra":"stripped"}',
  '{"text":"x","__proto__":{"text":"inherited","color":"blue"}}',
  '{"__proto__":{"text":"inherited"}}',
  '{"text":"x","constructor":{"name":"Other"},"prototype":1}',
  `{"text":${repeat('弹', 200)}}`,
  `{"text":${repeat('😀', 200)}}`,
  `{"text":${repeat('😀', 201)}}`,
  `{"text":${repeat('x', 201)}}`,
  '{"text":""}',
  '{"text":5}',
  '{"text":null}',
  '{"text":["x"]}',
  '{"text":{"length":1}}',
  '{}',
  'null',
  '[]',
  '[{"text":"x"}]',
  '"text"',
  '42',
  'true',
  '{"text":"x","color":"blue"}',
  '{"text":"x","color":"#fff"}',
  '{"text":"x","color":null}',
  '{"text":"x","color":1}',
  '{"text":"x","mode":"spin"}',
  '{"text":"x","mode":null}',
  '{"text":"x","mode":"__proto__"}',
  '{"text":"x","user":""}',
  `{"text":"x","user":${repeat('u', 64)}}`,
  `{"text":"x","user":${repeat('u', 65)}}`,
  `{"text":"x","user":${repeat('😀', 40)}}`,
  '{"text":"x","user":7}',
  '{"text":"x","user":null,"priority":null}',
  '{"text":"x","priority":"yes"}',
  '{"text":"x","priority":0}',
  '{"text":"x","priority":false}',
];

const items = (count: number) => JSON.stringify({ items: Array.from({ length: count }, (_, i) => ({ text: `c${i}` })) });
const batches = [
  '{"items":[{"text":"ok"}]}',
  items(1000),
  items(1001),
  '{"items":[]}',
  '{"items":{"text":"ok"}}',
  '{"items":{"0":{"text":"ok"},"length":1}}',
  '{"items":null}',
  '{}',
  '[{"items":[{"text":"ok"}]}]',
  '{"items":[{"text":"ok"},{"text":""}]}',
  '{"items":[{"text":"ok"},{"text":"ok","mode":"spin"}]}',
  '{"items":[{"text":"ok"},"text"]}',
  '{"items":[{"text":"ok"},null]}',
  '{"items":[1]}',
  '{"items":[[{"text":"ok"}]]}',
  '{"items":[[]]}',
  '{"items":[{"text":"ok","color":null,"extra":1}]}',
  '{"items":[{"text":"ok","__proto__":{"mode":"spin"}}],"__proto__":{"items":[]}}',
  '{"items":[{"__proto__":{"text":"inherited"}}]}',
];

describe('compileDtoCheck gives the ValidationPipe’s verdict and fields', () => {
  it.each(comments)('CommentDto %s', async (raw) => {
    expect(direct(CommentDto, raw)).toEqual(await throughPipe(CommentDto, raw));
  });

  it.each(batches.map((raw) => [raw.length > 120 ? `${raw.slice(0, 60)}… (${raw.length} chars)` : raw, raw]))(
    'CommentBatchDto %s',
    async (_, raw) => {
      expect(direct(CommentBatchDto, raw)).toEqual(await throughPipe(CommentBatchDto, raw));
    },
  );

  it('accepts the common cases (the point of the direct route) and the optional nulls', () => {
    expect(direct(CommentDto, '{"text":"hi","color":"#ff0000","mode":"bottom","user":"u","priority":false}')).toEqual({
      text: 'hi',
      color: '#ff0000',
      mode: 'bottom',
      user: 'u',
      priority: false,
    });
    expect(direct(CommentDto, '{"text":"hi","color":null}')).toEqual({ text: 'hi', color: null });
  });

  it('refuses a batch of arrays (ValidateNested alone would check the inner arrays’ items instead)', () => {
    expect(direct(CommentBatchDto, '{"items":[[{"text":"ok"}]]}')).toBe('rejected');
  });
});

// Rules the DTOs of this project do not use yet, read the same way.
class Tagged {
  @ValidateIf((object: Tagged) => object.kind === 'counted')
  @IsInt()
  @Min(1)
  count?: number;

  @Allow()
  kind?: string;

  @IsOptional()
  @IsString({ each: true })
  tags?: string[];

  @IsOptional()
  @ValidateNested()
  @Type(() => Tagged)
  child?: Tagged;
}

describe('compileDtoCheck on other class-validator rules', () => {
  it.each([
    '{"kind":"counted","count":3}',
    '{"kind":"counted","count":0}',
    '{"kind":"counted","count":1.5}',
    '{"kind":"plain","count":"anything"}',
    '{"tags":["a","b"]}',
    '{"tags":["a",2]}',
    '{"tags":"a"}',
    '{"child":{"kind":"counted","count":2,"child":{"tags":[]}}}',
    '{"child":{"kind":"counted","count":-1}}',
    '{"child":"none"}',
    '{"child":[{"tags":["x"]},{"tags":[1]}]}',
  ])('%s', async (raw) => {
    expect(direct(Tagged, raw)).toEqual(await throughPipe(Tagged, raw));
  });

  it('refuses what it cannot reproduce, so the route stays off instead of disagreeing', () => {
    class Untyped {
      @ValidateNested()
      child: object;
    }
    class Transformed {
      @Transform(({ value }) => String(value))
      @IsString()
      text: string;
    }
    const CheckedRemotely = (): PropertyDecorator => (target, property) =>
      registerDecorator({
        name: 'remote',
        async: true,
        target: target.constructor,
        propertyName: String(property),
        validator: { validate: () => Promise.resolve(true) },
      });
    class Remote {
      @CheckedRemotely()
      text: string;
    }
    expect(() => compileDtoCheck(Untyped)).toThrow('Untyped.child: @ValidateNested needs a plain @Type(() => Class)');
    expect(() => compileDtoCheck(Transformed)).toThrow('Transformed.text uses @Transform');
    expect(() => compileDtoCheck(Remote)).toThrow('Remote.text: remote is asynchronous');
  });
});
