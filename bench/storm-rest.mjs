// The REST half of a storm: single-comment POSTs at the ramp's rate (its `share` of it)
// over keep-alive connections (raw node:net, pipelined, each request to the connection with
// the fewest in flight). Counts per second of send time what was offered and how it was
// answered (2xx accepted, 429 refused, anything else or no answer: other) and how long the
// answer took; the accepted seqs (seqOffset, +2 each) go back for the loss count.
import net from 'node:net';
import { SeqSet, commentText, histIndex, nowMs, sleep, takeResponses } from './lib/common.mjs';
import { LagMeter, SecondCounts, rampDue } from './lib/storm.mjs';

const cfg = JSON.parse(process.argv[2]);
// cfg: { port, room, phase, startAt, ramp, share, seqOffset, connections, maxInFlight, tickMs, answerWaitMs, localAddress }

const counts = new SecondCounts(cfg.startAt);
const accepted = new SeqSet();
const statuses = {};
let refusedLocally = 0;
const path = `/rooms/${encodeURIComponent(cfg.room)}/comments`;

class Lane {
  constructor() {
    this.queue = []; // [{ seq, sentAt }]
    this.buf = null;
    this.closed = false;
    this.socket = net.connect({ host: '127.0.0.1', port: cfg.port, localAddress: cfg.localAddress });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closed = true;
      const now = nowMs();
      for (const req of this.queue) counts.answered(req.sentAt, 'other', now, histIndex);
      statuses.closed = (statuses.closed ?? 0) + this.queue.length;
      this.queue = [];
    });
  }
  send(seq, sentAt) {
    const body = JSON.stringify({ text: commentText(cfg.phase, seq, sentAt) });
    this.queue.push({ seq, sentAt });
    this.socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  onData(chunk) {
    const now = nowMs();
    this.buf = takeResponses(this.buf, chunk, (status) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      const req = this.queue.shift();
      if (!req) return;
      const kind = status >= 200 && status < 300 ? 'accepted' : status === 429 ? 'refused429' : 'other';
      counts.answered(req.sentAt, kind, now, histIndex);
      if (kind === 'accepted') accepted.add(req.seq);
    });
  }
}

const lanes = Array.from({ length: cfg.connections }, () => new Lane());
const inFlight = () => lanes.reduce((n, l) => n + l.queue.length, 0);
let seq = cfg.seqOffset;

function sendOne(now) {
  counts.offered(now);
  const mySeq = seq;
  seq += 2;
  if (inFlight() >= cfg.maxInFlight) {
    refusedLocally++;
    counts.answered(now, 'other', now, histIndex);
    return;
  }
  let best = null;
  for (const lane of lanes) if (!lane.closed && (!best || lane.queue.length < best.queue.length)) best = lane;
  if (!best) {
    statuses.closed = (statuses.closed ?? 0) + 1;
    counts.answered(now, 'other', now, histIndex);
    return;
  }
  best.send(mySeq, now);
}

async function main() {
  await sleep(Math.max(0, cfg.startAt - nowMs()));
  const lag = new LagMeter(cfg.startAt);
  const t0 = cfg.startAt;
  const totalMs = cfg.ramp.upMs + cfg.ramp.downMs;
  const total = Math.floor(cfg.share * rampDue(totalMs, cfg.ramp));
  let sent = 0;
  while (sent < total) {
    const now = nowMs();
    if (now - t0 > totalMs + 2000) break; // bounded even if ticks fall behind
    const due = Math.min(total, Math.floor(cfg.share * rampDue(now - t0, cfg.ramp))) - sent;
    for (let k = 0; k < due; k++) sendOne(nowMs());
    sent += Math.max(0, due);
    await sleep(cfg.tickMs);
  }
  const deadline = nowMs() + cfg.answerWaitMs;
  while (inFlight() > 0 && nowMs() < deadline) await sleep(20);
  lag.stop();
  const now = nowMs();
  for (const lane of lanes) {
    for (const req of lane.queue) counts.answered(req.sentAt, 'other', now, histIndex);
    statuses.unanswered = (statuses.unanswered ?? 0) + lane.queue.length;
    lane.queue = [];
  }
  process.send({ cmd: 'published', counts: counts.toJSON(), accepted: accepted.toBase64(), statuses, refusedLocally, lag: lag.toJSON() }, () => {
    for (const l of lanes) l.socket.destroy();
    process.exit(0);
  });
}

setTimeout(() => process.exit(3), cfg.ramp.upMs + cfg.ramp.downMs + 90_000).unref();
main();
