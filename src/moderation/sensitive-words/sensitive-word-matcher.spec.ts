import { SensitiveWordMatcher } from './sensitive-word-matcher.js';

describe('SensitiveWordMatcher', () => {
  const matcher = new SensitiveWordMatcher(['傻瓜', 'bad', 'ab', 'ＷＯＲＤ', '  ', '']);

  it('finds CJK words', () => {
    expect(matcher.mask('你是傻瓜吗')).toBe('你是**吗');
    expect(matcher.matches('你是傻瓜吗')).toBe(true);
    expect(matcher.matches('你好')).toBe(false);
  });

  it('ignores case and full-width/half-width differences, in the text and in the list', () => {
    expect(matcher.mask('BAD, ＢＡＤ and Ｂad')).toBe('***, *** and ***');
    expect(matcher.mask('a word, a Word')).toBe('a ****, a ****');
  });

  it('masks the union of overlapping matches', () => {
    // 'ab' (1-3) and 'bad' (2-5) overlap: every character of both is masked.
    expect(matcher.ranges('xabad')).toEqual([[1, 5]]);
    expect(matcher.mask('xabad')).toBe('x****');
  });

  it('masks whole code points, around emoji and astral characters', () => {
    expect(matcher.mask('😀bad😀')).toBe('😀***😀');
    expect(new SensitiveWordMatcher(['😡x']).mask('a😡xb')).toBe('a**b');
  });

  it.each([
    ['a zero-width space', '\u200B'],
    ['a soft hyphen', '\u00AD'],
    ['a word joiner', '\u2060'],
    ['a bidi override', '\u202E'],
    ['a bidi isolate', '\u2066'],
    ['a zero-width joiner', '\u200D'],
  ])('sees through %s inside a word, masking it with the word', (_, invisible) => {
    expect(matcher.matches(`b${invisible}ad`)).toBe(true);
    expect(matcher.mask(`so b${invisible}ad!`)).toBe('so ****!');
    expect(matcher.mask(`傻${invisible}${invisible}瓜`)).toBe('****');
  });

  it('maps compatibility characters back to the original text', () => {
    // '①' folds to '1'; 'ﬁ' (one code point) folds to 'fi'.
    const special = new SensitiveWordMatcher(['1x', 'fine']);
    expect(special.mask('①x!')).toBe('**!');
    expect(special.mask('so ﬁne')).toBe('so ***');
  });

  it('ignores blank words and treats an empty list as matching nothing', () => {
    expect(matcher.size).toBe(4);
    const empty = new SensitiveWordMatcher([]);
    expect(empty.matches('anything')).toBe(false);
    expect(empty.mask('anything')).toBe('anything');
  });

  it('handles a large list', () => {
    const words = Array.from({ length: 10_000 }, (_, i) => `词${i.toString(36)}语`);
    const large = new SensitiveWordMatcher(words);
    expect(large.size).toBe(10_000);
    expect(large.mask(`前词${(9999).toString(36)}语后`)).toMatch(/^前\*+后$/);
  });
});
