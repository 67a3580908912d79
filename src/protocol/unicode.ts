// A lone surrogate is not a character: encoded as UTF-8 it becomes U+FFFD, so two
// different ids (x\uD800 and x\uFFFD) would name one Redis key and channel.
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether the string is well-formed UTF-16 (no lone surrogate), so it survives UTF-8 unchanged. */
export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** Counts code points, not UTF-16 units: '默认房间' is 4, an emoji is 1. */
export function codePointCount(value: string, stopAfter = Infinity): number {
  let count = 0;
  for (const _ of value) {
    if (++count > stopAfter) break;
  }
  return count;
}
