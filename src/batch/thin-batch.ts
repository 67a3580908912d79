import type { Delivery } from '../broker/broker.js';

export interface ThinnedBatch {
  /** What goes in this frame, in arrival order. */
  send: Delivery[];
  /** Priority items over the cap, for the next frame. */
  carry: Delivery[];
  /** Ordinary items left out of the frame. */
  thinned: number;
}

/**
 * Caps a room's batch at `max` items: every priority item (up to the cap; the rest wait
 * for the next frame), then an even sample of the ordinary items filling the frame.
 * Arrival order is kept.
 */
export function thinBatch(items: readonly Delivery[], max: number): ThinnedBatch {
  if (items.length <= max) return { send: items.slice(), carry: [], thinned: 0 };

  let priorityCount = 0;
  for (const item of items) if (item.priority) priorityCount++;

  if (priorityCount >= max) {
    const send: Delivery[] = [];
    const carry: Delivery[] = [];
    for (const item of items) {
      if (!item.priority) continue;
      (send.length < max ? send : carry).push(item);
    }
    return { send, carry, thinned: items.length - priorityCount };
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
