// Shared helpers for the benchmark processes (runner, load generators, publisher, servers).
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Every comment text the bench publishes starts with this byte; it appears nowhere else. */
export const MARK = 0x7e; // '~'
export const FILLER = ' danmaku bench payload, 666';

/** One clock across processes: ms since the epoch with sub-ms resolution. */
export const nowMs = () => performance.timeOrigin + performance.now();

/** `~PHASE:SEQ:TS filler`: phase and per-room seq for loss/reorder, TS for latency. */
export function commentText(phase, seq, ts) {
  return `~${phase}:${seq}:${ts.toFixed(2)}${FILLER}`;
}

/** Latency histogram: 0.1 ms buckets below 1 s, 1 ms buckets from 1 s to 61 s. */
export const HIST_SIZE = 10_000 + 60_000;
export function histIndex(ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return Math.floor(ms * 10);
  return 10_000 + Math.min(59_999, Math.floor(ms - 1000));
}
export function histValue(index) {
  return index < 10_000 ? (index + 0.5) / 10 : 1000 + (index - 10_000) + 0.5;
}
/** Sparse form for IPC: [index, count, index, count, ...]. */
export function histSparse(hist) {
  const out = [];
  for (let i = 0; i < hist.length; i++) if (hist[i] !== 0) out.push(i, hist[i]);
  return out;
}
export function histMerge(into, sparse) {
  for (let i = 0; i < sparse.length; i += 2) into[sparse[i]] += sparse[i + 1];
}
export function histStats(hist) {
  let n = 0;
  let max = -1;
  for (let i = 0; i < hist.length; i++) {
    n += hist[i];
    if (hist[i]) max = i;
  }
  if (n === 0) return { n: 0, p50: null, p99: null, max: null };
  const at = (q) => {
    const target = Math.ceil(q * n);
    let seen = 0;
    for (let i = 0; i < hist.length; i++) {
      seen += hist[i];
      if (seen >= target) return histValue(i);
    }
    return histValue(max);
  };
  return { n, p50: at(0.5), p99: at(0.99), max: histValue(max) };
}

/** A growable bitmap of seqs (one byte per seq; small enough for bench sizes). */
export class SeqSet {
  constructor() {
    this.bits = new Uint8Array(1024);
    this.max = -1;
  }
  /** @returns whether the seq was already there */
  add(seq) {
    if (seq >= this.bits.length) {
      let size = this.bits.length;
      while (size <= seq) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.bits);
      this.bits = next;
    }
    if (seq > this.max) this.max = seq;
    const had = this.bits[seq] === 1;
    this.bits[seq] = 1;
    return had;
  }
  has(seq) {
    return seq < this.bits.length && this.bits[seq] === 1;
  }
  toBase64() {
    return Buffer.from(this.bits.buffer, 0, this.max + 1).toString('base64');
  }
  static fromBase64(text) {
    const set = new SeqSet();
    const bytes = Buffer.from(text, 'base64');
    set.bits = new Uint8Array(Math.max(1024, bytes.length));
    set.bits.set(bytes);
    set.max = bytes.length - 1;
    return set;
  }
}

/** CPU seconds (user + system, and user alone) and RSS bytes of a process, from /proc. */
export function procSample(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]);
    const ticks = user + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpu: ticks / 100, user: user / 100, rss: rssKb * 1024, t: nowMs() };
  } catch {
    return null;
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function median(values) {
  // Infinity stays: it stands for "never", which ranks above every measured value.
  const v = values.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** A client frame, masked with a zero key (valid, and the payload stays as is). */
export function clientFrame(text, opcode = 1) {
  const payload = Buffer.from(text);
  const len = payload.length;
  let header;
  if (len < 126) {
    header = Buffer.alloc(6);
    header[1] = 0x80 | len;
  } else {
    header = Buffer.alloc(8);
    header[1] = 0x80 | 126;
    header.writeUInt16BE(len, 2);
  }
  header[0] = 0x80 | opcode;
  return Buffer.concat([header, payload]);
}

/**
 * Starts every connection with at most `concurrency` starting at once: `start(done)` on each,
 * the next one launched as one finishes. Resolves when all have finished.
 */
export function startBounded(conns, concurrency) {
  let next = 0;
  let finished = 0;
  return new Promise((resolve) => {
    const launch = () => {
      while (next < conns.length && next - finished < concurrency) {
        conns[next++].start(() => {
          finished++;
          if (finished === conns.length) resolve();
          else launch();
        });
      }
    };
    if (conns.length === 0) resolve();
    else launch();
  });
}

/**
 * Keep-alive HTTP/1.1 answers as they arrive: `buffered` plus `chunk` is cut into whole
 * responses, `onStatus(status)` called for each in order; returns what is left of an
 * unfinished one (null when nothing is).
 */
export function takeResponses(buffered, chunk, onStatus) {
  let buf = buffered ? Buffer.concat([buffered, chunk]) : chunk;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return buf;
    const head = buf.toString('latin1', 0, end);
    const m = /content-length:\s*(\d+)/i.exec(head);
    const bodyLen = m ? Number(m[1]) : 0;
    if (buf.length < end + 4 + bodyLen) return buf;
    buf = buf.subarray(end + 4 + bodyLen);
    onStatus(Number(head.slice(9, 12)));
    if (buf.length === 0) return null;
  }
}

// One receive buffer for every connection of a process (net's `onread`): no Buffer and no
// stream 'data' event per chunk read. At a storm's peak every viewer reads full frames, up
// to 840 MB/s of plain JSON, and that per-chunk machinery kept the load processes seconds
// behind. `onData` gets a view of the shared buffer, valid only during its call: whatever
// it keeps past the call it must copy.
const RECEIVE = Buffer.allocUnsafe(65_536);
export function connectReading(options, onData) {
  return net.connect({ ...options, onread: { buffer: RECEIVE, callback: (n) => void onData(RECEIVE.subarray(0, n)) } });
}
