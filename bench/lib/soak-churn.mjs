// The churn of a soak, inside one load generator: which connections misbehave and how.
// - churners (a share of the plain viewers) now and then hop to another room (LEAVE, JOIN)
//   or drop their connection and come back a moment later;
// - probes drop and come back too, and resume with `since` (see loadgen.mjs);
// - slow consumers stop reading for a long while (the server's heartbeat or slow-consumer
//   bound closes them), read again, and come back when closed;
// - garbage senders send frames the server must refuse (not JSON, binary, unknown type,
//   bad room, a comment to a room not joined, now and then one over MAX_PAYLOAD).
// Every connection that is closed, by us or by the server, reconnects after a short random
// delay while the soak runs.

const TICK_MS = 250;

/** What a garbage sender sends: [payload, opcode]; the last one is over MAX_PAYLOAD (4096). */
const GARBAGE = [
  ['not json {', 1],
  ['\u0000\u0001binary', 2],
  ['{"type":"NOPE"}', 1],
  ['{"data":{}}', 1],
  ['{"type":"JOIN","data":{"room":""}}', 1],
  ['{"type":"COMMENT","data":{"room":"nowhere","text":"x"}}', 1],
];
const OVERSIZED = ['x'.repeat(5000), 1];

export const DEFAULT_SOAK_CHURN = {
  /** Shares of the plain viewers (not probes) per role. */
  churnShare: 0.1,
  slowShare: 0.001,
  garbageShare: 0.001,
  /** How often, on average, a churner acts, and a probe reconnects. */
  churnEveryMs: 20_000,
  probeReconnectEveryMs: 60_000,
  /** A slow consumer reads nothing for this long, then reads for a few seconds. */
  slowHoldMs: 75_000,
  slowReadMs: 5_000,
  garbageEveryMs: 2_000,
  /** One garbage frame in this many is oversized (the server closes with 1009). */
  oversizedEvery: 25,
  reconnectDelayMs: [100, 2000],
};

export class SoakChurn {
  /**
   * @param conns the load generator's connections (Conn objects)
   * @param options DEFAULT_SOAK_CHURN's keys, any of them
   * @param tools { clientFrame(text, opcode), rooms }
   */
  constructor(conns, options, tools) {
    this.options = { ...DEFAULT_SOAK_CHURN, ...options };
    this.clientFrame = tools.clientFrame;
    this.rooms = tools.rooms;
    this.conns = conns;
    this.running = false;
    this.timers = new Set();
    this.counts = { hops: 0, drops: 0, probeDrops: 0, slowPauses: 0, garbageFrames: 0, oversized: 0, reconnects: 0 };
    const per1000 = (share) => Math.round(share * 1000);
    const churn = per1000(this.options.churnShare);
    const slow = per1000(this.options.slowShare);
    const garbage = per1000(this.options.garbageShare);
    for (const conn of conns) {
      if (conn.probe) continue;
      // By the viewer's index over all load generators, modulo 1000: the same shares
      // whatever the number of generators, spread over the rooms.
      const k = conn.index % 1000;
      if (k < churn) conn.role = 'churn';
      else if (k >= 1000 - slow) conn.role = 'slow';
      else if (k >= 1000 - slow - garbage) conn.role = 'garbage';
    }
  }

  roleCounts() {
    const out = { steady: 0, churn: 0, slow: 0, garbage: 0, probes: 0 };
    for (const conn of this.conns) {
      if (conn.probe) out.probes++;
      else out[conn.role]++;
    }
    return out;
  }

  start() {
    this.running = true;
    this.nextGarbage = 0;
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    for (const conn of this.conns) if (conn.joined) this.joined(conn);
  }

  /** Stops acting; reconnects already scheduled still happen (probes catch up by resuming). */
  stop() {
    this.running = false;
    clearInterval(this.ticker);
    for (const conn of this.conns) {
      if (conn.role === 'slow' && conn.socket?.isPaused()) conn.socket.resume();
    }
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** A connection joined (first time or again). */
  joined(conn) {
    if (!this.running || conn.role !== 'slow') return;
    this.later(() => this.stall(conn), this.options.slowReadMs);
  }

  reconnectLater(conn) {
    const [min, max] = this.options.reconnectDelayMs;
    this.counts.reconnects++;
    // Not cleared by stop(): a probe that was away still comes back and resumes.
    setTimeout(() => conn.reconnect(), min + Math.random() * (max - min));
  }

  tick() {
    const { options } = this;
    const churnP = TICK_MS / options.churnEveryMs;
    const probeP = TICK_MS / options.probeReconnectEveryMs;
    const garbageP = TICK_MS / options.garbageEveryMs;
    for (const conn of this.conns) {
      if (!conn.joined) continue;
      if (conn.probe) {
        if (Math.random() < probeP) {
          this.counts.probeDrops++;
          conn.drop();
        }
      } else if (conn.role === 'churn') {
        if (Math.random() >= churnP) continue;
        if (Math.random() < 0.5) this.hop(conn);
        else {
          this.counts.drops++;
          conn.drop();
        }
      } else if (conn.role === 'garbage' && Math.random() < garbageP) {
        this.garbage(conn);
      }
    }
  }

  hop(conn) {
    const next = this.rooms[Math.floor(Math.random() * this.rooms.length)];
    conn.send(this.clientFrame(JSON.stringify({ type: 'LEAVE', data: { room: conn.room } })));
    conn.send(this.clientFrame(JSON.stringify({ type: 'JOIN', data: { room: next } })));
    conn.room = next;
    this.counts.hops++;
  }

  garbage(conn) {
    const oversized = ++this.nextGarbage % this.options.oversizedEvery === 0;
    const [payload, opcode] = oversized ? OVERSIZED : GARBAGE[this.nextGarbage % GARBAGE.length];
    conn.send(this.clientFrame(payload, opcode));
    this.counts.garbageFrames++;
    if (oversized) this.counts.oversized++;
  }

  /** A slow consumer stops reading, and reads again later (seeing a close if it was closed meanwhile). */
  stall(conn) {
    if (!this.running || !conn.joined || !conn.socket || conn.socket.destroyed) return;
    conn.socket.pause();
    this.counts.slowPauses++;
    this.later(() => {
      if (!conn.socket || conn.socket.destroyed) return;
      conn.socket.resume();
      this.later(() => this.stall(conn), this.options.slowReadMs);
    }, this.options.slowHoldMs);
  }

  later(fn, ms) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}
