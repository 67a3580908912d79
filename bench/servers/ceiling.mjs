// Ceiling: the least a Node server can do for the same job. Raw ws for the handshake and
// the control messages only; batching as in window-batches.mjs (merged, thinned, encoded
// once per room per window). A batch is framed once into one Buffer and written to every
// member's raw socket in one synchronous loop over a plain array of sockets: per member a
// slow-consumer check and a write, nothing else. The write is the fastest one this machine
// has: the project's own native send(2) loop (native/batch-writer) when it is built, so the
// project is never measured against a slower primitive than its own; socket.write when not
// (CEILING_WRITES=stream forces it). No framework, no validation, no history, no leading edge.
import { createRequire } from 'node:module';
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

function loadWriteEach() {
  if (process.env.CEILING_WRITES === 'stream') return null;
  try {
    return createRequire(import.meta.url)('@danmaku/batch-writer').writeEach ?? null;
  } catch {
    return null;
  }
}
const writeEach = loadWriteEach();
console.error(`ceiling writes: ${writeEach ? 'native' : 'stream'}`);
let fds = new Int32Array(16_384);
let written = new Int32Array(16_384);
let batched = new Array(16_384);

/** The fd when send(2) on it is what socket.write would do: nothing queued in Node, plain TCP. */
function directFd(socket) {
  if (socket.writableLength !== 0) return -1;
  const fd = socket._handle?.fd;
  return fd === undefined ? -1 : fd;
}

function deliver(sockets, text) {
  const frame = textFrame(text);
  let sent = 0;
  if (writeEach !== null && sockets.length > fds.length) {
    fds = new Int32Array(sockets.length);
    written = new Int32Array(sockets.length);
    batched = new Array(sockets.length);
  }
  let count = 0;
  for (let i = 0; i < sockets.length; i++) {
    const socket = sockets[i];
    if (socket.writableLength > SLOW_BYTES) continue;
    sent++;
    const fd = writeEach === null ? -1 : directFd(socket);
    if (fd < 0) {
      socket.write(frame);
      continue;
    }
    fds[count] = fd;
    batched[count++] = socket;
  }
  if (count > 0) {
    writeEach(fds, count, frame, written);
    for (let i = 0; i < count; i++) {
      const took = written[i];
      if (took !== frame.length) batched[i].write(took > 0 ? frame.subarray(took) : frame);
      batched[i] = undefined;
    }
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
