import type { Delivery } from '../broker/broker.js';

export interface ThinnedBatch {
  /** What goes in this frame, in arrival order. */
  send: Delivery[];
  /** Priority items over the cap, for the next frames. */
  carry: Delivery[];
  /** Items left out: ordinary ones, and priority ones past what may wait. */
  thinned: number;
}

/**
 * Priority items waiting for later frames are bounded to this many frames' worth: an
 * endless stream of them must not grow memory (or their delay) without limit.
 */
export const MAX_CARRIED_FRAMES = 10;

/**
 * Caps a room's batch at `max` items: every priority item (up to the cap; the rest wait
 * for the next frames, up to MAX_CARRIED_FRAMES of them, the newest past that dropped),
 * then an even sample of the ordinary items filling the frame. Arrival order is kept.
 */
export function thinBatch(items: readonly Delivery[], max: number): ThinnedBatch {
  if (items.length <= max) return { send: items.slice(), carry: [], thinned: 0 };

  let priorityCount = 0;
  for (const item of items) if (item.priority) priorityCount++;

  if (priorityCount >= max) {
    const send: Delivery[] = [];
    const carry: Delivery[] = [];
    const maxCarry = max * MAX_CARRIED_FRAMES;
    for (const item of items) {
      if (!item.priority) continue;
      if (send.length < max) send.push(item);
      else if (carry.length < maxCarry) carry.push(item);
    }
    return { send, carry, thinned: items.length - send.length - carry.length };
  }

  const ordinaryCount = items.length - priorityCount;
  const slots = max - priorityCount;
  // Ordinary item k is kept when it is the first to reach the next evenly spaced mark.
  const send: Delivery[] = [];
  let ordinaryIndex = 0;
  let nextPick = 0;
  let picked = 0;
  for (const item of items) {
    if (item.priority) {
      send.push(item);
      continue;
    }
    if (picked < slots && ordinaryIndex === nextPick) {
      send.push(item);
      picked++;
      nextPick = Math.floor((picked * ordinaryCount) / slots);
    }
    ordinaryIndex++;
  }
  return { send, carry: [], thinned: ordinaryCount - slots };
}
