import { splitJsonArray } from './split-json-array.js';

describe('splitJsonArray', () => {
  it('returns each element exactly as written', () => {
    const text = '[ {"a": 1,  "b":[1,2,{"c":"]"}]} ,"x,y" ,1.50e3, null,[ ] ,"\\u4f60\\"]" ]';
    expect(splitJsonArray(text)).toEqual([
      '{"a": 1,  "b":[1,2,{"c":"]"}]}',
      '"x,y"',
      '1.50e3',
      'null',
      '[ ]',
      '"\\u4f60\\"]"',
    ]);
  });

  it('keeps every element a valid JSON value equal to what JSON.parse sees', () => {
    const text = JSON.stringify([{ text: '弹幕 666', n: -0.5 }, 'a\\b', [[]], true, {}]);
    const elements = splitJsonArray(text)!;
    expect(elements.map((e) => JSON.parse(e))).toEqual(JSON.parse(text));
  });

  it('accepts an empty array', () => {
    expect(splitJsonArray(' [ ] ')).toEqual([]);
  });

  it.each(['', '{"a":1}', '"[1]"', '[1,', 'not json', '42'])('rejects %j', (text) => {
    expect(splitJsonArray(text)).toBeNull();
  });
});
