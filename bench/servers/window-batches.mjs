// The batching the ceiling and ws-deflate share: a REST publish turns each comment into its
// item JSON at once; one timer for all rooms; per window a room's items are merged, thinned
// to BATCH_MAX_ITEMS (an even sample) and encoded once into a PUSH text, which
// `deliver(members, text)` sends. Rooms without members are skipped before any encoding.
import { makeItem } from './rest.mjs';

const WINDOW = Number(process.env.BATCH_WINDOW_MS ?? 200);
const MAX_ITEMS = Number(process.env.BATCH_MAX_ITEMS ?? 100);

/**
 * @param rooms Map<room, member[]>, filled by serveViewers
 * @param stats counters; commentsIn and thinned are kept here
 * @returns publish(room, comments) for createRestServer, and the per-room seqs for JOINED
 */
export function windowBatches({ rooms, stats, deliver }) {
  const pending = new Map(); // room -> string[] (item JSON)
  const seqs = new Map();

  function publish(room, comments) {
    const ts = Date.now();
    let seq = seqs.get(room) ?? 0;
    const firstSeq = seq + 1;
    let list = pending.get(room);
    if (!list) pending.set(room, (list = []));
    for (const c of comments) list.push(JSON.stringify(makeItem(room, ++seq, c, ts)));
    seqs.set(room, seq);
    stats.commentsIn += comments.length;
    return { firstSeq, lastSeq: seq };
  }

  setInterval(() => {
    for (const [room, items] of pending) {
      pending.delete(room);
      const members = rooms.get(room);
      if (!members || members.length === 0) continue;
      let send = items;
      if (items.length > MAX_ITEMS) {
        send = [];
        for (let k = 0; k < MAX_ITEMS; k++) send.push(items[Math.floor((k * items.length) / MAX_ITEMS)]);
        stats.thinned += items.length - MAX_ITEMS;
      }
      deliver(members, `{"type":"PUSH","data":{"room":${JSON.stringify(room)},"items":[${send.join(',')}]}}`);
    }
  }, WINDOW);

  return { publish, seqs };
}
