export const MAX_ROOM_CHARS = 64;

// Category Cc: C0 controls, DEL and C1 controls.
const CONTROL_CHARACTER = /\p{Cc}/u;

/** 1 to 64 Unicode code points, any script, no control characters. */
export function isValidRoomId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0) return false;
  // Code points, not UTF-16 units: '默认房间' is 4, an emoji is 1.
  let chars = 0;
  for (const _ of value) {
    if (++chars > MAX_ROOM_CHARS) return false;
  }
  return !CONTROL_CHARACTER.test(value);
}
