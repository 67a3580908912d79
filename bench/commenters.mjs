// The COMMENT half of a storm: viewers (they join the room and receive like the others)
// that send COMMENT frames at the ramp's rate (its `share` of it), round-robin over them.
// Each COMMENT carries a cid; its ACK or ERROR is matched back to the send time and counted
// per second of send time: ACK accepted, ERROR RATE_LIMITED for overload refused, anything
// else (another error, the connection closed, no answer) other. Frames over SMALL bytes are
// PUSH frames and skipped unread; smaller ones are parsed.
// With `probe`, the same process holds a few quiet probes instead: viewers that send no
// comment but read every PUSH (accepted→received from the item's `ts`, and the seqs seen
// for the loss count) and PING every `pingMs`, in a process light enough that its own
// event loop stays prompt while the load generators' saturated core lags.
import { MARK, SeqSet, clientFrame, commentText, connectReading, histIndex, nowMs, sleep, startBounded } from './lib/common.mjs';
import { LagMeter, SecondCounts, bumpSecond, rampDue, sparseSeconds } from './lib/storm.mjs';

const cfg = JSON.parse(process.argv[2]);
// cfg: { port, room, count, localAddress, concurrency, connectTimeoutMs }

const SMALL = cfg.probe ? Infinity : 1024;
const PING = clientFrame('{"type":"PING"}');
// Quiet probes: what they saw, per second of the phase (by the comment's send time).
const probe = { phase: 0, startAt: 0, received: new Map(), sendReceived: new Map(), ping: new Map(), stale: 0 };
const UPGRADE = Buffer.from(
  `GET /connect HTTP/1.1\r\nHost: 127.0.0.1:${cfg.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
);
const errors = {};
const closeCodes = {};
const accepted = new SeqSet();
const pending = new Map(); // cid → { sentAt, seq, conn }
let counts = null;
let joined = 0;
let connectErrors = 0;
let shuttingDown = false;

class Commenter {
  constructor() {
    this.hs = null;
    this.open = false;
    this.joined = false;
    this.everJoined = false;
    this.pending = null;
    this.inFrame = false;
    this.left = 0;
    this.parts = null;
    this.opcode = 0;
    this.cids = new Set();
    this.seen = new SeqSet();
    this.dupes = 0;
    this.reorders = 0;
    this.lastSeq = -1;
    this.pingSent = 0;
  }

  ping() {
    if (!this.joined || this.pingSent !== 0) return;
    this.pingSent = nowMs();
    this.send(PING);
  }

  onPush(items, now) {
    for (const item of items) {
      const t = item.text;
      if (typeof t !== 'string' || t.charCodeAt(0) !== MARK) continue;
      const a = t.indexOf(':');
      const b = t.indexOf(':', a + 1);
      if (Number(t.slice(1, a)) !== probe.phase) {
        probe.stale++;
        continue;
      }
      const seq = Number(t.slice(a + 1, b));
      const second = Math.floor((parseFloat(t.slice(b + 1)) - probe.startAt) / 1000);
      bumpSecond(probe.sendReceived, second, histIndex(now - parseFloat(t.slice(b + 1))));
      if (typeof item.ts === 'number') bumpSecond(probe.received, second, histIndex(now - item.ts));
      if (this.seen.add(seq)) this.dupes++;
      if (seq < this.lastSeq) this.reorders++;
      else this.lastSeq = seq;
    }
  }

  start(done) {
    this.done = done;
    // Each commenter receives full frames like every viewer: a shared buffer keeps this
    // process's lag out of the answers it times (the parser copies what it keeps).
    this.socket = connectReading({ host: '127.0.0.1', port: cfg.port, localAddress: cfg.localAddress }, (chunk) => this.onData(chunk));
    this.socket.setNoDelay(true);
    this.timer = setTimeout(() => this.finishConnect(false), cfg.connectTimeoutMs);
    this.socket.on('connect', () => this.socket.write(UPGRADE));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.finishConnect(false);
      this.joined = false;
      if (shuttingDown) return;
      const now = nowMs();
      for (const cid of this.cids) {
        const req = pending.get(cid);
        pending.delete(cid);
        errors.closed = (errors.closed ?? 0) + 1;
        counts?.answered(req.sentAt, 'other', now, histIndex);
      }
      this.cids.clear();
    });
  }

  finishConnect(ok) {
    clearTimeout(this.timer);
    if (!this.done) return;
    if (ok) joined++;
    else connectErrors++;
    const done = this.done;
    this.done = null;
    done();
  }

  send(buf) {
    if (this.socket.writable) this.socket.write(buf);
  }

  onData(chunk) {
    if (!this.open) {
      this.hs = this.hs ? Buffer.concat([this.hs, chunk]) : Buffer.from(chunk);
      const end = this.hs.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (this.hs.toString('latin1', 0, 12) !== 'HTTP/1.1 101') return this.socket.destroy();
      chunk = this.hs.subarray(end + 4);
      this.hs = null;
      this.open = true;
      this.send(clientFrame(JSON.stringify({ type: 'JOIN', data: { room: cfg.room } })));
    }
    if (this.pending) {
      chunk = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let i = 0;
    const len = chunk.length;
    while (i < len) {
      if (!this.inFrame) {
        const need = len - i < 2 ? 2 : (chunk[i + 1] & 0x7f) === 126 ? 4 : (chunk[i + 1] & 0x7f) === 127 ? 10 : 2;
        if (len - i < need) {
          this.pending = Buffer.from(chunk.subarray(i));
          return;
        }
        const len7 = chunk[i + 1] & 0x7f;
        const plen = len7 === 126 ? chunk.readUInt16BE(i + 2) : len7 === 127 ? Number(chunk.readBigUInt64BE(i + 2)) : len7;
        this.opcode = chunk[i] & 0x0f;
        i += need;
        this.left = plen;
        this.inFrame = true;
        this.parts = plen <= SMALL ? [] : null;
        if (plen === 0) this.endFrame();
        continue;
      }
      const take = Math.min(this.left, len - i);
      if (this.parts) this.parts.push(Buffer.from(chunk.subarray(i, i + take)));
      i += take;
      this.left -= take;
      if (this.left === 0) this.endFrame();
    }
  }

  endFrame() {
    this.inFrame = false;
    const parts = this.parts;
    this.parts = null;
    if (!parts) return;
    const payload = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    if (this.opcode === 9) return this.send(clientFrame(payload.toString('latin1'), 0xa));
    if (this.opcode === 8) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      closeCodes[code] = (closeCodes[code] ?? 0) + 1;
      return this.socket.end();
    }
    if (this.opcode !== 1) return;
    const text = payload.toString('utf8');
    if (!cfg.probe && (text.startsWith('{"type":"PUSH"') || text.startsWith('{"type":"ONLINE"'))) return;
    const now = nowMs();
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.type === 'JOINED') {
      this.joined = true;
      this.everJoined = true;
      this.finishConnect(true);
    } else if (msg.type === 'PUSH') {
      if (probe.phase) this.onPush(msg.data.items, now);
    } else if (msg.type === 'PONG') {
      if (this.pingSent) bumpSecond(probe.ping, Math.floor((this.pingSent - probe.startAt) / 1000), histIndex(now - this.pingSent));
      this.pingSent = 0;
    } else if (msg.type === 'ACK' || msg.type === 'ERROR') {
      this.onAnswer(msg);
    }
  }

  onAnswer(msg) {
    const now = nowMs();
    const cid = msg.data?.cid;
    const req = cid === undefined ? undefined : pending.get(cid);
    if (!req) {
      if (msg.type === 'ERROR') errors[`${msg.data?.code} (no cid)`] = (errors[`${msg.data?.code} (no cid)`] ?? 0) + 1;
      return;
    }
    pending.delete(cid);
    this.cids.delete(cid);
    if (msg.type === 'ACK') {
      accepted.add(req.seq);
      counts.answered(req.sentAt, 'accepted', now, histIndex);
      return;
    }
    // Overload control's refusal, as opposed to the connection's own rate limit (same code).
    const overload = msg.data.code === 'RATE_LIMITED' && /overloaded/.test(msg.data.message ?? '');
    const key = overload ? 'RATE_LIMITED' : msg.data.code === 'RATE_LIMITED' ? 'RATE_LIMITED (connection limit)' : msg.data.code;
    errors[key] = (errors[key] ?? 0) + 1;
    counts.answered(req.sentAt, overload ? 'refusedRateLimited' : 'other', now, histIndex);
  }
}

const conns = Array.from({ length: cfg.count }, () => new Commenter());

async function connectAll() {
  await startBounded(conns, cfg.concurrency);
}

async function run(go) {
  counts = new SecondCounts(go.startAt);
  await sleep(Math.max(0, go.startAt - nowMs()));
  const lag = new LagMeter(go.startAt);
  const t0 = go.startAt;
  const totalMs = go.ramp.upMs + go.ramp.downMs;
  const total = Math.floor(go.share * rampDue(totalMs, go.ramp));
  let sent = 0;
  let seq = go.seqOffset;
  let turn = 0;
  while (sent < total) {
    const now = nowMs();
    if (now - t0 > totalMs + 2000) break;
    const due = Math.min(total, Math.floor(go.share * rampDue(now - t0, go.ramp))) - sent;
    for (let k = 0; k < due; k++) {
      const sentAt = nowMs();
      counts.offered(sentAt);
      const mySeq = seq;
      seq += 2;
      let conn = null;
      for (let tries = 0; tries < conns.length && !conn; tries++) {
        const c = conns[turn];
        turn = (turn + 1) % conns.length;
        if (c.joined && c.socket.writable) conn = c;
      }
      if (!conn) {
        errors.noConnection = (errors.noConnection ?? 0) + 1;
        counts.answered(sentAt, 'other', sentAt, histIndex);
        continue;
      }
      const cid = String(mySeq);
      pending.set(cid, { sentAt, seq: mySeq });
      conn.cids.add(cid);
      conn.send(clientFrame(JSON.stringify({ type: 'COMMENT', data: { room: cfg.room, text: commentText(go.phase, mySeq, sentAt), cid } })));
    }
    sent += Math.max(0, due);
    await sleep(go.tickMs);
  }
  const deadline = nowMs() + go.answerWaitMs;
  while (pending.size > 0 && nowMs() < deadline) await sleep(20);
  lag.stop();
  const now = nowMs();
  for (const req of pending.values()) counts.answered(req.sentAt, 'other', now, histIndex);
  if (pending.size) errors.unanswered = pending.size;
  pending.clear();
  for (const c of conns) c.cids.clear();
  process.send({ cmd: 'published', counts: counts.toJSON(), accepted: accepted.toBase64(), errors, closeCodes, lag: lag.toJSON() });
}

let probeTimer = null;
let probeLag = null;
process.on('message', async (msg) => {
  if (msg.cmd === 'probe') {
    Object.assign(probe, { phase: msg.phase, startAt: msg.startAt });
    probeLag = new LagMeter(msg.startAt);
    probeTimer = setInterval(() => {
      for (const c of conns) c.ping();
    }, msg.pingMs);
    process.send({ cmd: 'probing' });
  } else if (msg.cmd === 'report') {
    clearInterval(probeTimer);
    probeLag?.stop();
    process.send({
      cmd: 'report',
      // A probe closed since still counts: what it missed is loss.
      probes: conns.map((c) => ({ room: cfg.room, joined: c.everJoined, seen: c.seen.toBase64(), dupes: c.dupes, reorders: c.reorders })),
      acceptBySecond: sparseSeconds(probe.received),
      bySecond: sparseSeconds(probe.sendReceived),
      pingBySecond: sparseSeconds(probe.ping),
      lagBySecond: probeLag?.toJSON() ?? [],
      stale: probe.stale,
      closeCodes,
    });
  } else if (msg.cmd === 'connect') {
    await connectAll();
    process.send({ cmd: 'connected', joined, errors: connectErrors });
  } else if (msg.cmd === 'go') {
    await run(msg);
  } else if (msg.cmd === 'close') {
    shuttingDown = true;
    for (const c of conns) c.socket?.destroy();
    setTimeout(() => process.exit(0), 200);
  }
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), 15 * 60_000).unref();
process.send({ cmd: 'ready' });
