// Publisher: POSTs comments at a fixed rate over a few HTTP/1.1 keep-alive connections
// (raw node:net, requests pipelined, responses parsed by Content-Length). Every tick the
// comments due are spread round-robin over the rooms; a room's share of a tick is one
// POST /rooms/:room/comments (one item) or /comments/batch (several). Records comments
// attempted vs accepted (2xx) and each room's accepted seqs. Bounded in time and in
// requests in flight; a comment that cannot be sent because too many are in flight is
// attempted and not accepted.
import net from 'node:net';
import { SeqSet, commentText, nowMs, sleep, takeResponses } from './lib/common.mjs';

const cfg = JSON.parse(process.argv[2]);
// cfg: { port, rooms, rate, durationMs, phase, tickMs, connections, maxInFlight, startAt, localAddress }

const accepted = new Map(cfg.rooms.map((r) => [r, new SeqSet()]));
const nextSeq = new Map(cfg.rooms.map((r) => [r, 0]));
const stats = { attempted: 0, accepted: 0, rejected: 0, refusedLocally: 0, requests: 0, statuses: {} };

class Lane {
  constructor() {
    this.queue = []; // [{ room, seqs }]
    this.buf = null;
    this.socket = net.connect({ host: '127.0.0.1', port: cfg.port, localAddress: cfg.localAddress });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closed = true;
      for (const req of this.queue) stats.rejected += req.seqs.length;
      this.queue = [];
    });
  }
  send(room, seqs, body, path) {
    if (this.closed) {
      stats.rejected += seqs.length;
      return;
    }
    this.queue.push({ room, seqs });
    stats.requests++;
    this.socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  onData(chunk) {
    this.buf = takeResponses(this.buf, chunk, (status) => {
      stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
      const req = this.queue.shift();
      if (!req) return;
      if (status >= 200 && status < 300) {
        stats.accepted += req.seqs.length;
        const set = accepted.get(req.room);
        for (const s of req.seqs) set.add(s);
      } else {
        stats.rejected += req.seqs.length;
      }
    });
  }
}

const lanes = Array.from({ length: cfg.connections }, () => new Lane());
const laneOf = new Map(cfg.rooms.map((r, i) => [r, i % cfg.connections]));
let roomIndex = 0;
const inFlight = () => lanes.reduce((n, l) => n + l.queue.length, 0);

function publishTick(count, ts) {
  const byRoom = new Map();
  for (let k = 0; k < count; k++) {
    const room = cfg.rooms[roomIndex];
    roomIndex = (roomIndex + 1) % cfg.rooms.length;
    const seq = nextSeq.get(room);
    nextSeq.set(room, seq + 1);
    let list = byRoom.get(room);
    if (!list) byRoom.set(room, (list = []));
    list.push(seq);
  }
  stats.attempted += count;
  for (const [room, seqs] of byRoom) {
    if (inFlight() >= cfg.maxInFlight) {
      stats.refusedLocally += seqs.length;
      continue;
    }
    // One lane per room, so a room's comments reach the server in publishing order.
    const lane = lanes[laneOf.get(room)];
    const base = `/rooms/${encodeURIComponent(room)}/comments`;
    if (seqs.length === 1) {
      lane.send(room, seqs, JSON.stringify({ text: commentText(cfg.phase, seqs[0], ts) }), base);
    } else {
      const items = seqs.map((s) => ({ text: commentText(cfg.phase, s, ts) }));
      lane.send(room, seqs, JSON.stringify({ items }), `${base}/batch`);
    }
  }
}

async function main() {
  await sleep(Math.max(0, cfg.startAt - nowMs()));
  const t0 = nowMs();
  let sent = 0;
  const total = Math.round((cfg.rate * cfg.durationMs) / 1000);
  while (sent < total) {
    const now = nowMs();
    if (now - t0 > cfg.durationMs + 2000) break; // bounded even if ticks fall behind
    const due = Math.min(total, Math.floor(((now - t0) * cfg.rate) / 1000)) - sent;
    if (due > 0) {
      publishTick(due, nowMs());
      sent += due;
    }
    await sleep(cfg.tickMs);
  }
  // Let the answers in flight arrive (bounded).
  const deadline = nowMs() + (cfg.answerWaitMs ?? 5000);
  while (inFlight() > 0 && nowMs() < deadline) await sleep(20);
  stats.unanswered = inFlight();
  stats.sendMs = nowMs() - t0;
  const rooms = {};
  for (const [room, set] of accepted) rooms[room] = set.toBase64();
  process.send({ cmd: 'published', ...stats, rooms }, () => {
    for (const l of lanes) l.socket.destroy();
    process.exit(0);
  });
}

setTimeout(() => process.exit(3), cfg.durationMs + 60_000).unref();
main();
