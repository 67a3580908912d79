// Naive: the same protocol done the obvious way. Every comment goes out at once in its
// own PUSH, JSON.stringify'd per member and sent with ws.send per member. No batching,
// no thinning, no slow-consumer bound.
import { WebSocketServer } from 'ws';
import { createRestServer, listen, makeItem, serveViewers } from './rest.mjs';

const rooms = new Map();
const seqs = new Map();
const stats = { commentsIn: 0, framesOut: 0, connections: 0 };

function publish(room, comments) {
  const ts = Date.now();
  let seq = seqs.get(room) ?? 0;
  const firstSeq = seq + 1;
  const members = rooms.get(room);
  for (const c of comments) {
    const item = makeItem(room, ++seq, c, ts);
    if (!members) continue;
    for (const ws of members) {
      ws.send(JSON.stringify({ type: 'PUSH', data: { room, items: [item] } }));
      stats.framesOut++;
    }
  }
  seqs.set(room, seq);
  stats.commentsIn += comments.length;
  return { firstSeq, lastSeq: seq };
}

const server = createRestServer({ publish, stats: () => stats });
const wss = new WebSocketServer({ server, path: '/connect', perMessageDeflate: false, maxPayload: 4096 });
serveViewers(wss, { rooms, seqs, stats });
listen(server, 'naive');
