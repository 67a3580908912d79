import type { Delivery } from '../broker/broker.js';

function textOf(json: string): string | undefined {
  try {
    const item: unknown = JSON.parse(json);
    if (typeof item === 'object' && item !== null && typeof (item as { text?: unknown }).text === 'string') {
      return (item as { text: string }).text;
    }
  } catch {
    // Not JSON we can read: never folded.
  }
  return undefined;
}

/**
 * Folds items with identical text into the first of them, which gains `"count": N`
 * ("666" ×12 becomes one item). Runs once per room per batch, before thinning; a folded
 * item is priority when any of its copies was. go-push items (no seq) pass through byte
 * for byte, whatever they hold, and so do items without a string `text`.
 */
export function foldDuplicates(items: readonly Delivery[]): Delivery[] {
  if (items.length < 2) return items.slice();
  const firstIndex = new Map<string, number>();
  const kept: Delivery[] = [];
  const counts: number[] = [];
  for (const item of items) {
    const text = item.seq === undefined ? undefined : textOf(item.json);
    const seen = text === undefined ? undefined : firstIndex.get(text);
    if (seen === undefined) {
      if (text !== undefined) firstIndex.set(text, kept.length);
      kept.push(item);
      counts.push(1);
      continue;
    }
    counts[seen]++;
    if (item.priority && !kept[seen].priority) kept[seen] = { ...kept[seen], priority: true };
  }
  return kept.map((item, i) =>
    counts[i] === 1 ? item : { ...item, json: `${item.json.slice(0, -1)},"count":${counts[i]}}` },
  );
}
