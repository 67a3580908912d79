// Compress per client: the ceiling's batching (merged, thinned, encoded once per room per
// window), sent the usual way with permessage-deflate: ws with `perMessageDeflate:
// { threshold: 0 }` and ws.send per member, so every member's copy is deflated on its own,
// in its own zlib context (context takeover, as ws negotiates by default with browsers).
// The baseline for the project's compress-once PUSH (PROTOCOL.md section 5).
import { WebSocketServer } from 'ws';
import { createRestServer, listen, serveViewers } from './rest.mjs';
import { windowBatches } from './window-batches.mjs';

const SLOW_BYTES = 1_048_576;

const rooms = new Map(); // room -> WebSocket[]
const stats = { commentsIn: 0, framesOut: 0, dropped: 0, thinned: 0, connections: 0 };
const SEND = { binary: false };

function deliver(members, text) {
  // UTF-8 once per batch; the deflating is per member, inside ws.send.
  const data = Buffer.from(text);
  let sent = 0;
  for (let i = 0; i < members.length; i++) {
    const ws = members[i];
    // bufferedAmount counts what waits in ws's deflate queue as well as in the socket.
    if (ws.bufferedAmount > SLOW_BYTES) continue;
    ws.send(data, SEND);
    sent++;
  }
  stats.framesOut += sent;
  stats.dropped += members.length - sent;
}

const { publish, seqs } = windowBatches({ rooms, stats, deliver });
const server = createRestServer({ publish, stats: () => stats });
const wss = new WebSocketServer({ server, path: '/connect', perMessageDeflate: { threshold: 0 }, maxPayload: 4096 });
serveViewers(wss, { rooms, seqs, stats });
listen(server, 'ws-deflate');
