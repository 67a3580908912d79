// A lone surrogate is not a character: encoded as UTF-8 it becomes U+FFFD, so two
// different ids (x\uD800 and x\uFFFD) would name one Redis key and channel.

// ES2024's String.prototype.isWellFormed, in every Node this project runs on (>= 20).
declare global {
  interface String {
    isWellFormed(): boolean;
  }
}

/** Whether the string is well-formed UTF-16 (no lone surrogate), so it survives UTF-8 unchanged. */
export function isWellFormedText(value: string): boolean {
  return value.isWellFormed();
}

/** Counts code points, not UTF-16 units: '默认房间' is 4, an emoji is 1, a lone surrogate 1. */
export function codePointCount(value: string, stopAfter = Infinity): number {
  let count = 0;
  const length = value.length;
  for (let i = 0; i < length; i++) {
    const unit = value.charCodeAt(i);
    // A high surrogate followed by a low one is one code point: the low one is skipped.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    if (++count > stopAfter) break;
  }
  return count;
}

/**
 * Whether the string has at most `max` code points; it has no more than its UTF-16
 * units, so a short one (every comment, nearly every id) is not counted at all.
 */
export function hasAtMostCodePoints(value: string, max: number): boolean {
  return value.length <= max || codePointCount(value, max) <= max;
}
