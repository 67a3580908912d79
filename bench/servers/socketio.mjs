// socket.io 4 doing the same job the idiomatic way: a viewer emits 'join' and is put in
// the room; every published comment is one io.to(room).emit('push', item). REST publish
// on the same port (plain node:http, like the other baselines).
import { Server } from 'socket.io';
import { createRestServer, listen, makeItem } from './rest.mjs';

const seqs = new Map();
const stats = { commentsIn: 0 };
let io;

function publish(room, comments) {
  const ts = Date.now();
  let seq = seqs.get(room) ?? 0;
  const firstSeq = seq + 1;
  for (const c of comments) io.to(room).emit('push', makeItem(room, ++seq, c, ts));
  seqs.set(room, seq);
  stats.commentsIn += comments.length;
  return { firstSeq, lastSeq: seq };
}

const server = createRestServer({ publish, stats: () => ({ ...stats, connections: io.engine.clientsCount }) });
io = new Server(server, { transports: ['websocket', 'polling'], perMessageDeflate: false, serveClient: false });
io.on('connection', (socket) => {
  socket.on('join', (room) => {
    if (typeof room !== 'string') return;
    socket.join(room);
    socket.emit('joined', { room, seq: seqs.get(room) ?? 0 });
  });
  socket.on('ping', () => socket.emit('pong'));
});
listen(server, 'socketio');
