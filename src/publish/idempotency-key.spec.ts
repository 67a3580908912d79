import { BadRequestException } from '@nestjs/common';
import { idempotencyKeyOf } from './idempotency-key.js';

describe('idempotencyKeyOf', () => {
  it('takes no header as no key, and a key of 1 to 128 visible ASCII characters as it is', () => {
    expect(idempotencyKeyOf(undefined)).toBeUndefined();
    expect(idempotencyKeyOf('a')).toBe('a');
    const uuid = '3f6f1a52-7d0e-4b5e-9a51-3c1f0f6b2c11';
    expect(idempotencyKeyOf(uuid)).toBe(uuid);
    expect(idempotencyKeyOf('"quoted:{tag}~"')).toBe('"quoted:{tag}~"');
    expect(idempotencyKeyOf('k'.repeat(128))).toBe('k'.repeat(128));
  });

  it.each([
    ['empty', ''],
    ['129 characters', 'k'.repeat(129)],
    ['a space (or two headers joined)', 'a, b'],
    ['a control character', 'a\tb'],
    ['non-ASCII', 'clé'],
    ['an array', ['a', 'b']],
  ])('refuses a key with %s as a 400', (_, header) => {
    expect(() => idempotencyKeyOf(header)).toThrow(BadRequestException);
  });
});
