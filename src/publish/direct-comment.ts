import { isBoolean, isIn, isString, length, matches } from 'class-validator';
import { COLOR_PATTERN, COMMENT_MODES } from '../protocol/comment.js';
import { MAX_BATCH_ITEMS } from './dto/comment-batch.dto.js';
import { isCommentText } from './dto/validators.js';
import type { CommentInput } from './publish.service.js';

/*
 * CommentDto and CommentBatchDto read without class-transformer and the ValidationPipe,
 * for the direct publish route. Each check is the DTO's own class-validator function, so
 * what is accepted here is accepted there, field for field (direct-comment.spec.ts holds
 * the two side by side). Anything doubtful (null, a bad field) returns undefined and is
 * answered by the Nest route, whose 400 names the field.
 */

type Body = Record<string, unknown>;

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The comment in a body, known fields only (the pipe's whitelist), or undefined. */
export function directComment(value: unknown): CommentInput | undefined {
  if (!isObject(value)) return undefined;
  const { text, color, mode, user, priority } = value;
  if (!isCommentText(text)) return undefined;
  if (color !== undefined && !(isString(color) && matches(color, COLOR_PATTERN))) return undefined;
  if (mode !== undefined && !isIn(mode, COMMENT_MODES)) return undefined;
  if (user !== undefined && !(isString(user) && length(user, 1, 64))) return undefined;
  if (priority !== undefined && !isBoolean(priority)) return undefined;
  return { text, color, mode, user, priority } as CommentInput;
}

/** The items of a batch body, or undefined. */
export function directBatch(value: unknown): CommentInput[] | undefined {
  if (!isObject(value) || !Array.isArray(value.items)) return undefined;
  const items = value.items as unknown[];
  if (items.length < 1 || items.length > MAX_BATCH_ITEMS) return undefined;
  const comments = new Array<CommentInput>(items.length);
  for (let i = 0; i < items.length; i++) {
    const comment = directComment(items[i]);
    if (!comment) return undefined;
    comments[i] = comment;
  }
  return comments;
}

/** The comments of a single or batch publish body, or undefined. */
export function directComments(value: unknown, batch: boolean): CommentInput[] | undefined {
  if (batch) return directBatch(value);
  const comment = directComment(value);
  return comment && [comment];
}
