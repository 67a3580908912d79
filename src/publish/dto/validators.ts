import { ValidateBy, type ValidationOptions } from 'class-validator';
import { MAX_TEXT_CHARS } from '../../protocol/comment.js';
import { isValidRoomId } from '../../protocol/room-id.js';
import { hasAtMostCodePoints, isWellFormedText } from '../../protocol/unicode.js';

/** Comment text: 1 to 200 Unicode code points, well-formed. */
export function isCommentText(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    hasAtMostCodePoints(value, MAX_TEXT_CHARS) &&
    isWellFormedText(value)
  );
}

export function IsCommentText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCommentText',
      validator: {
        validate: isCommentText,
        defaultMessage: () => `$property must be a string of 1 to ${MAX_TEXT_CHARS} characters`,
      },
    },
    options,
  );
}

/** A string with no lone surrogate: UTF-8 would turn one into U+FFFD, merging distinct names. */
export function IsWellFormed(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isWellFormed',
      validator: {
        validate: (value) => typeof value === 'string' && isWellFormedText(value),
        defaultMessage: () => '$property must be well-formed text (no lone surrogate)',
      },
    },
    options,
  );
}

/** Room id: 1 to 64 code points, no control characters. */
export function IsRoomId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRoomId',
      validator: {
        validate: (value) => isValidRoomId(value),
        defaultMessage: () => '$property must be 1 to 64 characters with no control characters',
      },
    },
    options,
  );
}
