// Naive: the same protocol done the obvious way. Every comment goes out at once in its
// own PUSH, JSON.stringify'd per member and sent with ws.send per member. No batching,
// no thinning, no slow-consumer bound.
import { WebSocketServer } from 'ws';
import { createRestServer, listen, makeItem, parseEnvelope } from './rest.mjs';

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
wss.on('connection', (ws) => {
  stats.connections++;
  const joined = new Set();
  ws.on('message', (data) => {
    const msg = parseEnvelope(data);
    if (!msg) return ws.send(JSON.stringify({ type: 'ERROR', data: { code: 'BAD_FRAME' } }));
    const room = msg.data?.room;
    if (msg.type === 'PING') ws.send(JSON.stringify({ type: 'PONG', data: {} }));
    else if (msg.type === 'JOIN' && typeof room === 'string') {
      let set = rooms.get(room);
      if (!set) rooms.set(room, (set = new Set()));
      set.add(ws);
      joined.add(room);
      ws.send(JSON.stringify({ type: 'JOINED', data: { room, seq: seqs.get(room) ?? 0, online: set.size } }));
    } else if (msg.type === 'LEAVE' && typeof room === 'string') {
      rooms.get(room)?.delete(ws);
      joined.delete(room);
      ws.send(JSON.stringify({ type: 'LEFT', data: { room } }));
    }
  });
  ws.on('close', () => {
    stats.connections--;
    for (const room of joined) rooms.get(room)?.delete(ws);
  });
});
listen(server, 'naive');
