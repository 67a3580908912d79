// Ceiling: the least a server can do for the same job. Raw ws, one timer for all rooms;
// per window a room's comments are merged, thinned to BATCH_MAX_ITEMS (an even sample),
// encoded once, framed once (ws's Sender.frame) and the same Buffer is written to every
// member's raw socket. No framework, no validation, no history, no leading edge.
import { Sender, WebSocketServer } from 'ws';
import { createRestServer, listen, makeItem, serveViewers } from './rest.mjs';

const WINDOW = Number(process.env.BATCH_WINDOW_MS ?? 200);
const MAX_ITEMS = Number(process.env.BATCH_MAX_ITEMS ?? 100);
const SLOW_BYTES = 1_048_576;

const rooms = new Map(); // room -> Set<ws>
const pending = new Map(); // room -> string[] (item JSON)
const seqs = new Map();
const stats = { commentsIn: 0, framesOut: 0, bytesOut: 0, dropped: 0, thinned: 0, connections: 0 };

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

function frameOf(text) {
  const [header, body] = Sender.frame(Buffer.from(text), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false });
  return Buffer.concat([header, body]);
}

setInterval(() => {
  for (const [room, items] of pending) {
    pending.delete(room);
    const members = rooms.get(room);
    if (!members || members.size === 0) continue;
    let send = items;
    if (items.length > MAX_ITEMS) {
      send = [];
      for (let k = 0; k < MAX_ITEMS; k++) send.push(items[Math.floor((k * items.length) / MAX_ITEMS)]);
      stats.thinned += items.length - MAX_ITEMS;
    }
    const frame = frameOf(`{"type":"PUSH","data":{"room":${JSON.stringify(room)},"items":[${send.join(',')}]}}`);
    for (const ws of members) {
      const socket = ws._socket;
      if (socket.writableLength > SLOW_BYTES) {
        stats.dropped++;
        continue;
      }
      socket.write(frame);
      stats.framesOut++;
      stats.bytesOut += frame.length;
    }
  }
}, WINDOW);

const server = createRestServer({ publish, stats: () => stats });
const wss = new WebSocketServer({ server, path: '/connect', perMessageDeflate: false, maxPayload: 4096 });
serveViewers(wss, { rooms, seqs, stats });
listen(server, 'ceiling');
