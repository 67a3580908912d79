import { randomBytes } from 'node:crypto';

/**
 * One random prefix per process (96 bits: two processes practically never share one, and
 * a restarted process has a new one), then a counter. The items of one batch share all but
 * the last characters of their ids, so a deflated frame carries each id in a few bytes; a
 * random UUID per comment is 36 characters that no compressor can shorten, a quarter of a
 * small compressed frame.
 */
const PROCESS_PREFIX = randomBytes(12).toString('base64url');
let nextCount = 0;

export const nextCommentId = (): string => PROCESS_PREFIX + (nextCount++).toString(36);
