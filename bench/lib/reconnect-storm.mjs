// The reconnect storm, inside one load generator: every viewer remembers its room's seq and
// epoch from JOINED; once armed, a viewer whose connection closes (the server's 1012 at a
// restart) comes back as the room page does: it waits the page's backoff (lib/backoff.mjs),
// reconnects, and sends `JOIN {room, since, epoch}`; every failed attempt waits the next step.
// Records when each viewer was lost and back, what JOINED answered (gap, a new epoch), and
// every failed attempt with its start time (the runner sorts them by the server's listen).
import { Backoff } from './backoff.mjs';

/** As the client: an upgrade unanswered this long is abandoned (its connectTimeoutMs). */
const OPEN_TIMEOUT_MS = 10_000;
/** A JOIN unanswered this long is abandoned: the client's PING interval plus its PONG timeout. */
const JOIN_TIMEOUT_MS = 25_000;

export class ReconnectStorm {
  constructor(conns, { nowMs, localAddress }) {
    this.conns = conns;
    this.nowMs = nowMs;
    // Reconnects bind to another loopback address than the first connections: the ports those
    // leave in TIME_WAIT would make every bind on the same address search for a free port,
    // and the load generator, not the server, would set the pace (browsers have addresses of their own).
    this.localAddress = localAddress.replace(/^127\.(\d+)\./, (_, a) => `127.${Number(a) + 100}.`);
    this.armed = false;
    this.lostAt = [];
    this.backAt = [];
    this.connectFailAt = [];
    this.joinFailAt = [];
    this.counts = { gaps: 0, epochChanged: 0, seqBehind: 0, joinErrors: 0, closedBeforeJoined: 0, openTimeouts: 0, joinTimeouts: 0, attempts: 0, lostAgain: 0 };
    this.maxAttempts = 0;
    this.failures = {};
    // For each viewer back: its last attempt's start to the 101, and the 101 to JOINED (ms).
    this.upgradeMs = [];
    this.joinMs = [];
  }

  state(conn) {
    if (!conn.storm) conn.storm = { backoff: new Backoff(), seq: null, epoch: undefined, lostAt: 0, backAt: 0, attemptAt: 0, sentEpoch: undefined, since: null };
    return conn.storm;
  }

  /** JOIN's resume fields: none on a first JOIN, then `since` and the epoch of the last JOINED. */
  resume(conn) {
    const s = this.state(conn);
    s.since = s.seq === null ? null : Math.max(s.seq, conn.resumeSeq ?? 0);
    s.sentEpoch = s.epoch;
    if (s.since === null) return {};
    return s.epoch === undefined ? { since: s.since } : { since: s.since, epoch: s.epoch };
  }

  /** A JOINED for `conn` (its text, not yet counted by the load generator). */
  joined(conn, text) {
    const s = this.state(conn);
    const now = this.nowMs();
    let data = {};
    try {
      data = JSON.parse(text).data ?? {};
    } catch {}
    const seq = Number.isSafeInteger(data.seq) ? data.seq : 0;
    const epoch = typeof data.epoch === 'string' ? data.epoch : undefined;
    s.backoff.up(now);
    if (this.armed && s.lostAt && !s.backAt) {
      s.backAt = now;
      this.backAt.push(now);
      if (s.openAt) {
        this.upgradeMs.push(s.openAt - s.attemptAt);
        this.joinMs.push(now - s.openAt);
      }
      if (data.gap === true) this.counts.gaps++;
      if (epoch !== undefined && s.sentEpoch !== undefined && epoch !== s.sentEpoch) this.counts.epochChanged++;
      if (s.since !== null && seq < s.since) this.counts.seqBehind++;
    }
    if (s.seq === null || seq > s.seq || epoch !== s.epoch) s.seq = seq;
    if (epoch !== undefined) s.epoch = epoch;
  }

  /** An ERROR before JOINED: the JOIN was refused; drop the socket and try again later. */
  joinRefused(conn) {
    if (!this.armed) return;
    this.counts.joinErrors++;
    conn.socket?.destroy();
  }

  arm() {
    this.armed = true;
    let joined = 0;
    for (const conn of this.conns) if (conn.joined) joined++;
    return joined;
  }

  /** `conn`'s socket closed; `wasJoined` whether it had joined on it. */
  lost(conn, wasJoined) {
    const s = this.state(conn);
    const now = this.nowMs();
    if (wasJoined) {
      // Timed once per viewer: its first loss after arming and its first JOINED after that.
      if (s.lostAt) this.counts.lostAgain++;
      else {
        s.lostAt = now;
        this.lostAt.push(now);
      }
    } else if (s.attemptAt) {
      const why = s.status && s.status !== '101' ? `HTTP ${s.status}` : (s.error ?? (conn.open ? 'closed before JOINED' : s.timedOut ? 'no upgrade answer in 10 s' : 'closed before the upgrade answer'));
      this.failures[why] = (this.failures[why] ?? 0) + 1;
      if (conn.open) {
        this.counts.closedBeforeJoined++;
        this.joinFailAt.push(s.attemptAt);
      } else this.connectFailAt.push(s.attemptAt);
    }
    if (!s.lostAt) return; // never joined: not part of the storm
    setTimeout(() => this.attempt(conn), s.backoff.next(now));
  }

  attempt(conn) {
    const s = this.state(conn);
    s.attemptAt = this.nowMs();
    s.status = null;
    s.openAt = 0;
    s.error = null;
    s.timedOut = false;
    this.counts.attempts++;
    this.maxAttempts = Math.max(this.maxAttempts, s.backoff.attempts);
    conn.localAddress = this.localAddress;
    conn.reconnect();
    const socket = conn.socket;
    socket.once('error', (error) => (s.error = error.code ?? error.message));
    socket.once('data', (chunk) => {
      s.status = chunk.toString('latin1', 9, 12);
      s.openAt = this.nowMs();
      // A browser drops the connection of a refused upgrade at once (and the server may keep it open).
      if (s.status !== '101') socket.destroy();
    });
    setTimeout(() => {
      if (conn.socket !== socket || socket.destroyed || conn.open) return;
      this.counts.openTimeouts++;
      s.timedOut = true;
      socket.destroy();
    }, OPEN_TIMEOUT_MS).unref();
    setTimeout(() => {
      if (conn.socket !== socket || socket.destroyed || conn.joined) return;
      this.counts.joinTimeouts++;
      socket.destroy();
    }, JOIN_TIMEOUT_MS).unref();
  }

  status() {
    let connected = 0;
    for (const conn of this.conns) if (conn.joined) connected++;
    return { lost: this.lostAt.length, back: this.backAt.length, connected };
  }

  report() {
    return { ...this.status(), lostAt: this.lostAt, backAt: this.backAt, connectFailAt: this.connectFailAt, joinFailAt: this.joinFailAt, counts: this.counts, maxAttempts: this.maxAttempts, failures: this.failures, upgradeMs: this.upgradeMs, joinMs: this.joinMs };
  }
}
