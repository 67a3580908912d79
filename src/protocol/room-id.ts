import { hasAtMostCodePoints, isWellFormedText } from './unicode.js';

export const MAX_ROOM_CHARS = 64;

// Category Cc: C0 controls, DEL and C1 controls.
const CONTROL_CHARACTER = /\p{Cc}/u;

/** 1 to 64 Unicode code points, any script, no control characters, well-formed. */
export function isValidRoomId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0) return false;
  if (!hasAtMostCodePoints(value, MAX_ROOM_CHARS)) return false;
  return !CONTROL_CHARACTER.test(value) && isWellFormedText(value);
}
