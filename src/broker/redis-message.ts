import { type CommentDraft, encodeItem } from '../protocol/comment.js';
import type { Delivery } from './broker.js';

/**
 * What travels on a Redis channel: one message per publish, holding every item of it,
 * fields separated by the ASCII record separator (0x1e):
 *
 *   room RS firstSeq RS priorityFlags RS item1 RS item2 ...
 *
 * `room` is empty for a broadcast, `firstSeq` empty for items that take no seq
 * (go-push items, broadcasts), `priorityFlags` empty when no item is a priority one and
 * otherwise one `0`/`1` per item. The separator never occurs in valid JSON text (control
 * characters are escaped inside strings and are not whitespace outside them) nor in a
 * room id (no control characters), so items travel as their exact JSON text.
 */
export const SEPARATOR = '\x1e';

/**
 * An item's JSON split around its seq, so the publish script can put the seq in without
 * re-encoding anything: `head + seq + tail` is exactly `encodeItem(draft, seq)`.
 */
export function itemAroundSeq(draft: CommentDraft): [head: string, tail: string] {
  const json = encodeItem(draft, 0);
  // The first `,"seq":0,` is the key itself: inside a JSON string a quote is always escaped.
  const at = json.indexOf(',"seq":0,');
  return [json.slice(0, at + 7), json.slice(at + 8)];
}

export function priorityFlags(priorities: readonly boolean[]): string {
  return priorities.some(Boolean) ? priorities.map((p) => (p ? '1' : '0')).join('') : '';
}

/** The message for items that take no seq (go-push items, a broadcast numbered already). */
export function encodeMessage(room: string | null, items: readonly string[], flags = ''): string {
  return `${room ?? ''}${SEPARATOR}${SEPARATOR}${flags}${SEPARATOR}${items.join(SEPARATOR)}`;
}

/** Hands each item of a message to `deliver` as the Delivery the batches expect. */
export function decodeMessage(message: string, deliver: (delivery: Delivery) => void): void {
  const fields = message.split(SEPARATOR);
  if (fields.length < 4) return;
  const room = fields[0] === '' ? null : fields[0];
  // Broadcasts are numbered on a counter of their own, which a Delivery does not carry.
  const firstSeq = fields[1] === '' || room === null ? undefined : Number(fields[1]);
  const flags = fields[2];
  for (let i = 3; i < fields.length; i++) {
    const index = i - 3;
    deliver({
      room,
      json: fields[i],
      priority: flags.charCodeAt(index) === 0x31,
      seq: firstSeq === undefined ? undefined : firstSeq + index,
    });
  }
}
