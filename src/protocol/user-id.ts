import { hasAtMostCodePoints, isWellFormedText } from './unicode.js';

/** The same bound as a REST comment's `user`: a viewer's id is stamped on every comment. */
export const MAX_USER_CHARS = 64;

/** A user id (a viewer token's `sub`, the target of a one-user push): 1 to 64 well-formed characters. */
export function isValidUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && hasAtMostCodePoints(value, MAX_USER_CHARS) && isWellFormedText(value);
}
