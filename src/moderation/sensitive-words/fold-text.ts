/** Text folded for matching, with where each folded UTF-16 unit came from. */
export interface FoldedText {
  folded: string;
  /** origin[i]: UTF-16 index in the original text of the code point folded unit i came from. */
  origin: number[];
}

const foldCache = new Map<number, string>();
// Format characters (zero-width spaces and joiners, soft hyphen, word joiner, bidi
// controls) are invisible on the stage, so 'b\u200Bad' must still read as 'bad'.
const INVISIBLE = /^\p{Cf}$/u;
const FOLD_CACHE_LIMIT = 65_536;

/**
 * Full-width to half-width and other compatibility forms (NFKC), then lower case: 'Ｂａｄ'
 * and 'BAD' both fold to 'bad', '①' to '1'. Folding is per code point so every folded
 * unit maps back to one original code point, which is what masking needs. Invisible
 * characters fold to nothing.
 */
export function foldCodePoint(codePoint: number): string {
  if (codePoint < 0x80) {
    return codePoint >= 0x41 && codePoint <= 0x5a ? String.fromCharCode(codePoint + 32) : String.fromCharCode(codePoint);
  }
  let folded = foldCache.get(codePoint);
  if (folded === undefined) {
    const char = String.fromCodePoint(codePoint);
    folded = INVISIBLE.test(char) ? '' : char.normalize('NFKC').toLowerCase();
    if (foldCache.size < FOLD_CACHE_LIMIT) foldCache.set(codePoint, folded);
  }
  return folded;
}

export function foldText(text: string): FoldedText {
  let folded = '';
  const origin: number[] = [];
  for (let i = 0; i < text.length; ) {
    const codePoint = text.codePointAt(i)!;
    const unit = foldCodePoint(codePoint);
    folded += unit;
    for (let k = 0; k < unit.length; k++) origin.push(i);
    i += codePoint > 0xffff ? 2 : 1;
  }
  return { folded, origin };
}
