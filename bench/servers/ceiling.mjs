// Ceiling: the least a Node server can do for the same job. Raw ws for the handshake and
// the control messages only; batching as in window-batches.mjs (merged, thinned, encoded
// once per room per window). A batch is framed once into one Buffer and written to every
// member's raw socket in one synchronous loop over a plain array of sockets: per member a
// slow-consumer check and socket.write, nothing else. No framework, no validation, no
// history, no leading edge.
import { WebSocketServer } from 'ws';
import { createRestServer, listen, serveViewers } from './rest.mjs';
import { windowBatches } from './window-batches.mjs';

const SLOW_BYTES = 1_048_576;

const rooms = new Map(); // room -> net.Socket[]
const stats = { commentsIn: 0, framesOut: 0, bytesOut: 0, dropped: 0, thinned: 0, connections: 0 };

/** One unmasked FIN text frame: header and UTF-8 payload in one allocation, encoded in place. */
function textFrame(text) {
  const length = Buffer.byteLength(text);
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81;
  if (head === 2) frame[1] = length;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, head);
  return frame;
}

function deliver(sockets, text) {
  const frame = textFrame(text);
  let sent = 0;
  for (let i = 0; i < sockets.length; i++) {
    const socket = sockets[i];
    if (socket.writableLength > SLOW_BYTES) continue;
    socket.write(frame);
    sent++;
  }
  stats.framesOut += sent;
  stats.bytesOut += sent * frame.length;
  stats.dropped += sockets.length - sent;
}

const { publish, seqs } = windowBatches({ rooms, stats, deliver });
const server = createRestServer({ publish, stats: () => stats });
const wss = new WebSocketServer({ server, path: '/connect', perMessageDeflate: false, maxPayload: 4096 });
serveViewers(wss, { rooms, seqs, stats, member: (ws) => ws._socket });
listen(server, 'ceiling');
