// Load generator: one process holding many viewer connections over raw TCP (node:net).
// Hand-made HTTP upgrade, WebSocket frame headers parsed by hand. Most connections only
// count frames, bytes and items (one '~' byte per comment, no JSON parse); probes parse
// JSON to measure publish->receive latency, loss, reordering and PING round trips.
// With `deflate`, every connection offers permessage-deflate (as browsers do); see
// lib/deflate-reader.mjs for what is inflated where.
// With `reconnect` (see lib/reconnect-storm.mjs), viewers keep their room's seq and epoch
// and, once armed, come back after a server restart with the room page's backoff and
// `JOIN {since, epoch}`.
// With `soak` (see lib/soak-churn.mjs), connections also churn: some hop rooms and
// reconnect, a few stop reading for a while, a few send garbage, and probes reconnect
// and resume with `since` (the highest seq they saw), so loss is still counted by seq.
// Driven by the runner over IPC; every timer and loop is bounded.
import {
  HIST_SIZE,
  MARK,
  SeqSet,
  clientFrame,
  connectReading,
  histIndex,
  histSparse,
  nowMs,
  startBounded,
} from './lib/common.mjs';
import { DeflateCounts, MessageInflater, negotiatedDeflate } from './lib/deflate-reader.mjs';
import { ReconnectStorm } from './lib/reconnect-storm.mjs';
import { SoakChurn } from './lib/soak-churn.mjs';
import { LagMeter, bumpSecond, sparseSeconds } from './lib/storm.mjs';

const cfg = JSON.parse(process.argv[2]);
// cfg: { id, mode: 'danmaku'|'socketio', port, localAddress, conns, firstIndex, rooms: [..],
//        probeEvery, pingProbes, pingMs, concurrency, connectTimeoutMs, deflate?, reconnect? }

const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgradePath = cfg.mode === 'socketio' ? '/socket.io/?EIO=4&transport=websocket' : '/connect';
const UPGRADE = Buffer.from(
  `GET ${upgradePath} HTTP/1.1\r\nHost: 127.0.0.1:${cfg.port}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${WS_KEY}\r\nSec-WebSocket-Version: 13\r\n` +
    (cfg.deflate ? 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n' : '') +
    '\r\n',
);
const SMALL = 256; // frames up to this size are collected whole (control messages)

const PING_FRAME =
  cfg.mode === 'socketio' ? clientFrame('42["ping"]') : clientFrame('{"type":"PING"}');
const EIO_PONG = clientFrame('3');
const SIO_CONNECT = clientFrame('40');

// ---- counters --------------------------------------------------------------------------
const counters = { frames: 0, dataFrames: 0, bytes: 0, items: 0 };
let phase = 0;
// Publish -> receive over the whole phase, cold start included.
let latency = new Uint32Array(HIST_SIZE);
// The same for comments published after the warm-up (the window throughput and CPU are
// measured over), and from the server's accept (the item's own `ts`, Date.now() on the same
// clock) to receive: the delivery leg without the publish leg.
let steady = new Uint32Array(HIST_SIZE);
let sinceAccept = new Uint32Array(HIST_SIZE);
// Publish -> receive per second of the phase (by publish time): where a tail comes from.
let bySecond = new Map();
// Per second of the phase as well (storm): accept (the item's `ts`) → receive by the second
// the comment was sent in, and PING round trips by the second the PING was sent in.
let acceptBySecond = new Map();
let pingBySecond = new Map();
let lag = null; // this process's own event-loop lag per second (lib/storm.mjs)
let phaseStart = 0;
// Per-second latency histograms: off for a soak, where they would pile up for every second.
let keepBySecond = true;
let steadyFrom = 0;
let pingHist = new Uint32Array(HIST_SIZE);
// Connect start (TCP connect, upgrade, JOIN) to JOINED, per connection of the connect phase.
const joinLatency = new Uint32Array(HIST_SIZE);
let stale = 0; // items of another phase
let joined = 0;
let connectErrors = 0;
let closedAfterJoin = 0;
// Soak: connections joined again after a reconnect, and those closed on purpose.
let rejoins = 0;
let closedOnPurpose = 0;
let churn = null;
const closeCodes = {};
const deflateCounts = new DeflateCounts();
const conns = [];
const probes = [];
const storm = cfg.reconnect ? new ReconnectStorm(conns, { nowMs, localAddress: cfg.localAddress }) : null;

class Conn {
  constructor(index, room, probe, pinger) {
    this.index = index;
    this.room = room;
    this.probe = probe;
    this.pinger = pinger;
    this.open = false;
    this.joined = false;
    this.hs = null;
    this.pending = null; // partial frame header
    this.left = 0; // payload bytes left in the current frame
    this.inFrame = false;
    this.collect = false;
    this.parts = null;
    this.opcode = 0;
    this.frameItems = 0;
    this.inflater = null; // set when the handshake negotiated permessage-deflate
    this.compressed = false; // the current message has RSV1 set
    this.blind = false; // ... and is counted without being inflated
    this.sampled = false; // a probe's compressed message that a counting connection would count blind
    this.role = 'steady'; // soak: 'churn', 'slow' or 'garbage' (see lib/soak-churn.mjs)
    this.everJoined = false;
    this.resumeSeq = 0; // the highest room seq a probe saw: it resumes from there
    this.onPurpose = false; // the next close is ours (a reconnect), not the server's
    if (probe) this.resetProbe();
  }

  resetProbe() {
    this.seen = new SeqSet();
    this.lastSeq = -1;
    this.reorders = 0;
    this.dupes = 0;
    this.pingSent = 0;
  }

  start(done) {
    this.done = done;
    if (done) this.connectStartedAt = nowMs();
    // Reads land in the process's shared buffer (onData copies what it keeps); reads of a
    // socket this connection already replaced are ignored.
    const socket = connectReading(
      { host: '127.0.0.1', port: cfg.port, localAddress: this.localAddress ?? cfg.localAddress },
      (chunk) => socket === this.socket && this.onData(chunk),
    );
    this.socket = socket;
    socket.setNoDelay(true);
    const timer = setTimeout(() => this.fail('timeout'), cfg.connectTimeoutMs);
    this.timer = timer;
    socket.on('connect', () => socket.write(UPGRADE));
    socket.on('error', () => socket === this.socket && this.fail('error'));
    socket.on('close', () => {
      if (socket !== this.socket) return;
      if (this.onPurpose) closedOnPurpose++;
      else if (this.joined && !shuttingDown) closedAfterJoin++;
      const wasJoined = this.joined;
      this.fail('close');
      // In a soak every connection comes back, whoever closed it.
      if (churn?.running && (wasJoined || this.everJoined) && !shuttingDown) churn.reconnectLater(this);
      else if (storm?.armed && !shuttingDown) storm.lost(this, wasJoined);
    });
  }

  /** Soak: closes this connection now (the churn reconnects it later). */
  drop() {
    if (!this.socket || this.socket.destroyed) return;
    this.onPurpose = true;
    this.socket.destroy();
  }

  /** A fresh socket for the same viewer; a probe asks for what it missed with `since`. */
  reconnect() {
    if (shuttingDown || (this.socket && !this.socket.destroyed)) return;
    clearTimeout(this.timer);
    this.open = false;
    this.joined = false;
    this.onPurpose = false;
    this.hs = null;
    this.pending = null;
    this.inFrame = false;
    this.left = 0;
    this.parts = null;
    this.inflater = null;
    this.pingSent = 0;
    this.start(null);
  }

  fail(reason) {
    // A reconnect that hangs is dropped; its close brings the next attempt.
    if (reason === 'timeout' && this.everJoined && !this.joined) this.socket.destroy();
    if (!this.everJoined && !this.joined && this.done) {
      connectErrors++;
      clearTimeout(this.timer);
      const done = this.done;
      this.done = null;
      this.socket.destroy();
      done();
    }
  }

  markJoined() {
    if (this.joined) return;
    this.joined = true;
    if (this.everJoined) rejoins++;
    else {
      joined++;
      joinLatency[histIndex(nowMs() - this.connectStartedAt)]++;
    }
    this.everJoined = true;
    this.joins = (this.joins ?? 0) + 1;
    churn?.joined(this);
    clearTimeout(this.timer);
    const done = this.done;
    this.done = null;
    done?.();
  }

  send(buf) {
    if (this.socket.writable) this.socket.write(buf);
  }

  onOpen() {
    this.open = true;
    if (cfg.mode === 'danmaku') {
      const resume = storm ? storm.resume(this) : this.probe && this.everJoined ? { since: this.resumeSeq } : {};
      this.send(clientFrame(JSON.stringify({ type: 'JOIN', data: { room: this.room, ...resume } })));
    }
    // socket.io: wait for the engine.io open packet.
  }

  onData(chunk) {
    let i = 0;
    const n = chunk.length;
    if (!this.open) {
      this.hs = this.hs ? Buffer.concat([this.hs, chunk]) : Buffer.from(chunk);
      const end = this.hs.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.hs.length > 8192) this.fail('handshake');
        return;
      }
      if (this.hs.toString('latin1', 0, 12) !== 'HTTP/1.1 101') return this.fail('status');
      const deflate = negotiatedDeflate(this.hs.toString('latin1', 0, end));
      if (deflate) {
        this.inflater = new MessageInflater(deflate);
        deflateCounts.negotiated(deflate);
      }
      chunk = this.hs.subarray(end + 4);
      this.hs = null;
      this.onOpen();
      return this.onData(chunk);
    }
    counters.bytes += n;
    if (this.pending) {
      chunk = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    const len = chunk.length;
    while (i < len) {
      if (!this.inFrame) {
        if (len - i < 2) {
          this.pending = Buffer.from(chunk.subarray(i));
          return;
        }
        const b0 = chunk[i];
        const len7 = chunk[i + 1] & 0x7f;
        let hl = 2;
        let plen = len7;
        if (len7 === 126) {
          hl = 4;
          if (len - i < 4) {
            this.pending = Buffer.from(chunk.subarray(i));
            return;
          }
          plen = chunk.readUInt16BE(i + 2);
        } else if (len7 === 127) {
          hl = 10;
          if (len - i < 10) {
            this.pending = Buffer.from(chunk.subarray(i));
            return;
          }
          plen = Number(chunk.readBigUInt64BE(i + 2));
        }
        i += hl;
        this.opcode = b0 & 0x0f;
        this.left = plen;
        this.inFrame = true;
        this.frameItems = 0;
        // RSV1 marks a compressed message on its first frame; continuations inherit it.
        if (this.opcode === 1 || this.opcode === 2) {
          this.compressed = this.inflater !== null && (b0 & 0x40) !== 0;
          const inflatable = !this.compressed || (!this.joined && this.inflater.canInflate(plen, SMALL));
          this.blind = !inflatable && !this.probe;
          this.sampled = !inflatable && this.probe;
        }
        // Whole: control frames, a probe's messages, what a counter inflates, small plain frames.
        this.collect = this.opcode >= 8 || this.probe || (this.compressed ? !this.blind : plen <= SMALL);
        this.parts = this.collect ? [] : null;
        if (plen === 0) {
          this.endFrame();
          continue;
        }
      }
      const take = Math.min(this.left, len - i);
      if (this.collect) {
        this.parts.push(Buffer.from(chunk.subarray(i, i + take)));
      } else if (!this.blind) {
        const end = i + take;
        let j = chunk.indexOf(MARK, i);
        while (j !== -1 && j < end) {
          this.frameItems++;
          j = chunk.indexOf(MARK, j + 1);
        }
      }
      i += take;
      this.left -= take;
      if (this.left === 0) this.endFrame();
    }
  }

  endFrame() {
    this.inFrame = false;
    counters.frames++;
    if (this.collect) {
      const payload = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
      this.parts = null;
      this.onMessage(this.compressed && this.opcode < 8 ? this.inflater.inflate(payload) : payload);
    }
    if (this.blind && this.opcode < 8) {
      // A data frame whose items only the room's probes know (the runner multiplies).
      counters.dataFrames++;
      deflateCounts.blindFrame(this.room);
    } else if (this.frameItems > 0) {
      counters.dataFrames++;
      counters.items += this.frameItems;
      if (this.sampled && this.opcode < 8) deflateCounts.sampleFrame(this.room, this.frameItems);
    }
  }

  onMessage(payload) {
    const op = this.opcode;
    if (op === 9) {
      this.send(clientFrame(payload.toString('latin1'), 0xa));
      return;
    }
    if (op === 8) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      closeCodes[code] = (closeCodes[code] ?? 0) + 1;
      this.socket.end();
      return;
    }
    if (op !== 1 && op !== 0) return;
    if (this.probe) return this.onProbeMessage(payload);
    // A raw counter: control messages only, plus items in small data frames.
    let j = payload.indexOf(MARK);
    while (j !== -1) {
      this.frameItems++;
      j = payload.indexOf(MARK, j + 1);
    }
    if (this.frameItems > 0) return;
    this.onControl(payload.toString('utf8'));
  }

  onControl(text) {
    if (cfg.mode === 'danmaku') {
      if (!this.joined && text.includes('"JOINED"')) {
        storm?.joined(this, text);
        this.markJoined();
      } else if (storm && !this.joined && text.includes('"ERROR"')) storm.joinRefused(this);
      return;
    }
    // socket.io over engine.io
    if (text === '2') return this.send(EIO_PONG);
    if (text.startsWith('0{')) return this.send(SIO_CONNECT);
    if (text.startsWith('40')) return this.send(clientFrame(`42${JSON.stringify(['join', this.room])}`));
    if (text.startsWith('42["joined"')) this.markJoined();
  }

  onProbeMessage(payload) {
    const now = nowMs();
    const text = payload.toString('utf8');
    let items;
    if (cfg.mode === 'danmaku') {
      if (text.charCodeAt(0) !== 123) return;
      const msg = JSON.parse(text);
      if (msg.type === 'PUSH') items = msg.data.items;
      else if (msg.type === 'PONG') return this.onPong(now);
      else return this.onControl(text);
    } else {
      if (!text.startsWith('42')) return this.onControl(text);
      const msg = JSON.parse(text.slice(2));
      if (msg[0] === 'push') items = [msg[1]];
      else if (msg[0] === 'pong') return this.onPong(now);
      else return this.onControl(text);
    }
    for (const item of items) {
      if (typeof item.seq === 'number' && item.seq > this.resumeSeq) this.resumeSeq = item.seq;
      const t = item.text;
      if (typeof t !== 'string' || t.charCodeAt(0) !== MARK) continue;
      this.frameItems++;
      const a = t.indexOf(':');
      const b = t.indexOf(':', a + 1);
      const p = Number(t.slice(1, a));
      if (p !== phase) {
        stale++;
        continue;
      }
      const seq = Number(t.slice(a + 1, b));
      const ts = parseFloat(t.slice(b + 1));
      const index = histIndex(now - ts);
      latency[index]++;
      if (ts >= steadyFrom) {
        steady[index]++;
        if (typeof item.ts === 'number') sinceAccept[histIndex(now - item.ts)]++;
      }
      if (keepBySecond) {
        const second = Math.floor((ts - phaseStart) / 1000);
        let hist = bySecond.get(second);
        if (!hist) bySecond.set(second, (hist = new Uint32Array(HIST_SIZE)));
        hist[index]++;
        if (typeof item.ts === 'number') bumpSecond(acceptBySecond, second, histIndex(now - item.ts));
      }
      if (this.seen.add(seq)) this.dupes++;
      if (seq < this.lastSeq) this.reorders++;
      else this.lastSeq = seq;
    }
  }

  ping() {
    if (!this.joined || this.pingSent !== 0 || !this.socket.writable) return;
    this.pingSent = nowMs();
    this.send(PING_FRAME);
  }

  onPong(now) {
    if (this.pingSent) pingHist[histIndex(now - this.pingSent)]++;
    if (this.pingSent && keepBySecond) bumpSecond(pingBySecond, Math.floor((this.pingSent - phaseStart) / 1000), histIndex(now - this.pingSent));
    this.pingSent = 0;
  }
}

// ---- connecting ------------------------------------------------------------------------
let shuttingDown = false;
let pingTimer = null;

async function connectAll() {
  const started = nowMs();
  for (let k = 0; k < cfg.conns; k++) {
    const index = cfg.firstIndex + k;
    // Rooms in contiguous blocks, so probes (every probeEvery-th index) spread over rooms.
    const room = cfg.rooms[Math.floor((index * cfg.rooms.length) / cfg.viewers)];
    const probe = cfg.probeEvery > 0 && index % cfg.probeEvery === 0;
    const conn = new Conn(index, room, probe, probe && probes.length < cfg.pingProbes);
    conns.push(conn);
    if (probe) probes.push(conn);
  }
  await startBounded(conns, cfg.concurrency);
  return nowMs() - started;
}

function probeReport() {
  return probes.map((p) => ({
    room: p.room,
    // A probe away (reconnecting) at report time still counts: what it missed is loss.
    joined: p.everJoined,
    joins: p.joins,
    seen: p.seen.toBase64(),
    reorders: p.reorders,
    dupes: p.dupes,
  }));
}

process.on('message', async (msg) => {
  switch (msg.cmd) {
    case 'connect': {
      const ms = await connectAll();
      process.send({ cmd: 'connected', joined, connectErrors, ms, probes: probes.filter((p) => p.joined).length, deflate: deflateCounts.toJSON(), joinLatency: histSparse(joinLatency) });
      break;
    }
    case 'phase': {
      // A new measuring phase: fresh latency and probe state.
      phase = msg.phase;
      latency = new Uint32Array(HIST_SIZE);
      steady = new Uint32Array(HIST_SIZE);
      sinceAccept = new Uint32Array(HIST_SIZE);
      bySecond = new Map();
      acceptBySecond = new Map();
      pingBySecond = new Map();
      lag?.stop();
      lag = msg.lag ? new LagMeter(msg.startAt) : null;
      phaseStart = msg.startAt;
      keepBySecond = msg.bySecond !== false;
      steadyFrom = msg.steadyFrom;
      pingHist = new Uint32Array(HIST_SIZE);
      stale = 0;
      for (const p of probes) p.resetProbe();
      clearInterval(pingTimer);
      if (msg.pingMs > 0) {
        const pingers = probes.filter((p) => p.pinger);
        pingTimer = setInterval(() => {
          for (const p of pingers) p.ping();
        }, msg.pingMs);
      }
      process.send({ cmd: 'phased', phase });
      break;
    }
    case 'snapshot':
      process.send({
        cmd: 'snapshot',
        ...counters,
        joined,
        closedAfterJoin,
        rejoins,
        closedOnPurpose,
        connected: conns.reduce((n, c) => n + (c.joined ? 1 : 0), 0),
        churn: churn?.counts ?? null,
        deflate: deflateCounts.toJSON(),
        t: nowMs(),
      });
      break;
    case 'report':
      lag?.stop();
      clearInterval(pingTimer);
      pingTimer = null;
      process.send({
        cmd: 'report',
        ...counters,
        joined,
        connectErrors,
        closedAfterJoin,
        rejoins,
        closedOnPurpose,
        churn: churn?.counts ?? null,
        closeCodes,
        stale,
        latency: histSparse(latency),
        steady: histSparse(steady),
        sinceAccept: histSparse(sinceAccept),
        bySecond: [...bySecond].map(([second, hist]) => [second, histSparse(hist)]),
        acceptBySecond: sparseSeconds(acceptBySecond),
        pingBySecond: sparseSeconds(pingBySecond),
        lagBySecond: lag?.toJSON() ?? [],
        ping: histSparse(pingHist),
        probes: probeReport(),
      });
      break;
    case 'storm-arm':
      process.send({ cmd: 'storm-armed', joined: storm.arm() });
      break;
    case 'storm-status':
      process.send({ cmd: 'storm-status', ...storm.status() });
      break;
    case 'storm-report':
      process.send({ cmd: 'storm-report', ...storm.report(), closeCodes });
      break;
    case 'soak-start':
      churn = new SoakChurn(conns, msg.soak ?? {}, { clientFrame, rooms: cfg.rooms });
      churn.start();
      process.send({ cmd: 'soak-started', roles: churn.roleCounts() });
      break;
    case 'soak-stop':
      churn?.stop();
      process.send({ cmd: 'soak-stopped' });
      break;
    case 'close':
      churn?.stop();
      shuttingDown = true;
      clearInterval(pingTimer);
      for (const c of conns) c.socket?.destroy();
      setTimeout(() => process.exit(0), 200);
      break;
  }
});

process.on('disconnect', () => process.exit(0));
// Never outlive the runner by much, whatever happens.
setTimeout(() => process.exit(3), cfg.maxLifeMs ?? 15 * 60_000).unref();
process.send({ cmd: 'ready' });
