import { isValidRoomId } from './room-id.js';
import { codePointCount, hasAtMostCodePoints, isWellFormedText } from './unicode.js';

test('a lone surrogate is not well-formed; a surrogate pair is', () => {
  expect(isWellFormedText('x\uD800')).toBe(false);
  expect(isWellFormedText('\uDC00x')).toBe(false);
  expect(isWellFormedText('🎉 默认')).toBe(true);
  expect(isWellFormedText('x\uFFFD')).toBe(true);
});

test('room ids must be well-formed, so two ids never share one UTF-8 key', () => {
  expect(isValidRoomId('x\uD800')).toBe(false);
  expect(isValidRoomId('x\uDBFF')).toBe(false);
  expect(isValidRoomId('x\uFFFD')).toBe(true);
});

test('code points are counted, stopping early past a bound', () => {
  expect(codePointCount('🎉🎉a')).toBe(3);
  expect(codePointCount('x'.repeat(1000), 64)).toBe(65);
});

test('code points are counted as the string iterator counts them', () => {
  const samples = ['', 'abc', '默认房间', '🎉🎉a', 'x\uD800', '\uDC00x', '\uD800\uD800\uDC00', 'a\uDBFF', '\uD83D\uDE00\uDE00', '😀'.repeat(70)];
  for (const sample of samples) {
    expect(codePointCount(sample)).toBe([...sample].length);
    for (const max of [0, 1, 2, 64]) expect(hasAtMostCodePoints(sample, max)).toBe([...sample].length <= max);
  }
});
