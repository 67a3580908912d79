import { Injectable, Logger } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { Connection } from '../connections/connection.js';
import { RoomService } from '../rooms/room.service.js';
import { DeliveryTimings } from '../stats/delivery-timings.js';
import { StatsService } from '../stats/stats.service.js';
import { DanmakuEvents } from '../events/danmaku-events.js';
import { FrameDeflater } from './frame-deflater.js';
import { loadNativeWriter, NativeBatches } from './native-batch.js';
import type { OutboundFrames } from './outbound-frames.js';
import { SliceClock } from './slice-clock.js';

/**
 * The longest a slice of writes runs before the loop yields, so PINGs, JOINs, refusals
 * and /healthz get a turn during a big push. It is checked inside a shard, not only
 * between shards: a storm's 100-item frames cost tens of microseconds per member, and a
 * 625-member shard ran for 10 to 100 ms past it.
 */
const SLICE_MS = 8;
/** Members written (their native batch sent) between two looks at the clock. */
const WRITES_PER_CLOCK_CHECK = 32;

interface Job {
  /** null: every connection. */
  room: string | null;
  frames: OutboundFrames;
  /** Next shard to walk. */
  shard: number;
  /** Where the walk of the shard in progress stopped when its slice ran out. */
  rest: IterableIterator<Connection> | undefined;
  /** A batch's: performance.now() when its first item was taken in; undefined for other messages. */
  since: number | undefined;
  /** performance.now() at its first write; 0 until then. */
  started: number;
  /** performance.now() when it was handed over. */
  queuedAt: number;
  /** Which handover it came in: the messages given in one turn of the loop (one batch tick's rooms) share it. */
  handover: number;
}

/**
 * Writes one pre-built message to every member of a room: its plain frame, or the
 * compressed frame of the member's deflate window, each made once for all members. Jobs
 * run in order, shard by shard; once a slice's time is up the walk yields to the event
 * loop, in the middle of a shard if need be, so one huge batch never holds the loop for
 * its whole length. Writing starts on the next turn of the loop, never inside the caller:
 * one batch tick hands over many rooms' frames at once, and all their writes must come
 * under the one budget that yields to the loop.
 */
@Injectable()
export class FanOutService {
  private readonly queue: Job[] = [];
  private scheduled = false;
  private drained: (() => void)[] = [];
  /** null: every write goes through socket.write (NATIVE_WRITES=false, or the addon is not built). */
  private readonly nativeBatches: NativeBatches | null = null;
  private readonly deflater: FrameDeflater;
  private readonly clock = new SliceClock(SLICE_MS, WRITES_PER_CLOCK_CHECK);
  private handover = 0;
  /** Whether a handover is open: messages given before the current turn's microtasks run join it. */
  private handing = false;

  constructor(
    private readonly rooms: RoomService,
    private readonly stats: StatsService,
    private readonly config: DanmakuConfig,
    private readonly events: DanmakuEvents,
    private readonly timings: DeliveryTimings,
  ) {
    this.deflater = new FrameDeflater(config.COMPRESSION_LEVEL, stats);
    if (!config.NATIVE_WRITES) return;
    const native = loadNativeWriter();
    if ('writeEach' in native) {
      this.nativeBatches = new NativeBatches(native.writeEach);
      stats.fanOutWriter = 'native';
    } else {
      new Logger(FanOutService.name).warn(
        `NATIVE_WRITES: the native batch writer is not available (${native.unavailable}); ` +
          'writing with socket.write, which costs more CPU per member (BENCHMARKS.md)',
      );
    }
  }

  /** @param since a batch's start, for the publish→write and fan-out histograms (once per batch). */
  deliver(room: string | null, frames: OutboundFrames, since?: number): void {
    if (!this.handing) {
      this.handing = true;
      this.handover++;
      queueMicrotask(() => (this.handing = false));
    }
    this.queue.push({ room, frames, shard: 0, rest: undefined, since, started: 0, queuedAt: performance.now(), handover: this.handover });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.run());
    }
  }

  /**
   * How long the oldest message not yet begun has waited, ms: the backlog a message handed
   * over now would queue behind. The handover being written does not count by its age: a
   * big room's fan-out takes as long as its members need, and so do a hundred small rooms'
   * handed over in one batch tick; a process that finishes them before the next window
   * keeps up (counting them refused comments at 200/s in a 10,000-member room at 46 % CPU,
   * and 9 % of 2,000/s over 100 rooms at 65 %). One that does not leaves the next
   * handover's messages waiting, and that wait counts.
   */
  oldestWaitMs(now: number): number {
    const queue = this.queue;
    if (queue.length === 0) return 0;
    const head = queue[0];
    if (head.started === 0) return now - head.queuedAt;
    for (let i = 1; i < queue.length; i++) if (queue[i].handover !== head.handover) return now - queue[i].queuedAt;
    return 0;
  }

  /** Resolves once every queued frame has been written. */
  whenDrained(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /**
   * Writes a message to one member unless it is over the slow-consumer bound, in which
   * case the whole frame is skipped (never a partial one) and the member is closed once
   * it has stayed over for SLOW_CONSUMER_MS.
   */
  writeTo(member: Connection, frames: OutboundFrames, now: number): void {
    if (!this.mayWrite(member, this.config.SLOW_CONSUMER_BYTES, now)) return;
    const frame = frames.forWindow(member.deflateWindow, this.deflater);
    member.socket.write(frame);
    this.stats.framesOut++;
    this.stats.bytesOut += frame.length;
    this.stats.plainBytesOut += frames.plain.length;
  }

  /**
   * Writes a message to a few connections at once (one user's), with what the room
   * fan-out does per member: the bound, the frame of the member's kind, the counters.
   */
  writeEach(members: ReadonlySet<Connection>, frames: OutboundFrames): void {
    this.writeAll(members, frames, Date.now());
  }

  /** Whether the member is open and under the slow-consumer bound: a frame may be built for it. */
  hasRoomFor(member: Connection): boolean {
    return member.isOpen && member.socket.writableLength <= this.config.SLOW_CONSUMER_BYTES;
  }

  /**
   * A control answer (JSON text, framed by ws) under the same bound as the batches: a
   * client that sends without reading cannot make the server queue its answers without
   * limit, whether or not it is in a room.
   * @returns whether the text was sent.
   */
  sendTo(member: Connection, text: string): boolean {
    if (!this.mayWrite(member, this.config.SLOW_CONSUMER_BYTES, Date.now())) return false;
    member.ws.send(text);
    return true;
  }

  /**
   * The hot loop: writeTo for every member of one shard, with the per-frame work (the
   * bound, the counters) hoisted out of it, and the writes themselves made in one native
   * call where the addon is loaded.
   * @param members a Set, or a shard's iterator to go on with (a Set iterator has no
   *   `return`, so leaving the loop early keeps its place)
   * @param sliced whether to stop, between two members, once the slice's time is up
   * @returns whether every member was written (false: stopped when the slice was over)
   */
  private writeAll(members: Iterable<Connection>, frames: OutboundFrames, now: number, sliced = false): boolean {
    const limit = this.config.SLOW_CONSUMER_BYTES;
    const batches = this.nativeBatches;
    const plain = frames.plain;
    let written = 0;
    let bytes = 0;
    const clock = this.clock;
    let finished = true;
    for (const member of members) {
      if (this.mayWrite(member, limit, now)) {
        const window = member.deflateWindow;
        const frame = window === 0 ? plain : frames.forWindow(window, this.deflater);
        // Members of every window share the plain frame of a message sent uncompressed (ONLINE).
        const variant = frame === plain ? 0 : window;
        if (batches === null || !batches.add(variant, member.socket, frame, member.fd)) member.socket.write(frame);
        written++;
        bytes += frame.length;
      }
      if (sliced && clock.due()) {
        // The native batch writes what it gathered only when sent: sent first, its time counts.
        batches?.send();
        if (clock.over) {
          finished = false;
          break;
        }
      }
    }
    batches?.send();
    this.stats.framesOut += written;
    this.stats.bytesOut += bytes;
    this.stats.plainBytesOut += written * plain.length;
    return finished;
  }

  /** Whether a frame may go to the member now; one over `limit` unsent bytes is skipped and checked. */
  private mayWrite(member: Connection, limit: number, now: number): boolean {
    if (!member.isOpen) return false;
    if (member.socket.writableLength > limit) {
      this.stats.dropped++;
      this.checkSlow(member, now);
      return false;
    }
    if (member.slowSince !== 0) member.slowSince = 0;
    return true;
  }

  /** Closes a member that has been over the bound for SLOW_CONSUMER_MS. */
  checkSlow(member: Connection, now: number): void {
    if (member.slowSince === 0) {
      member.slowSince = now;
    } else if (now - member.slowSince >= this.config.SLOW_CONSUMER_MS && member.isOpen) {
      this.stats.slowClosed++;
      member.ws.close(CloseCode.TRY_AGAIN_LATER, 'slow consumer');
      this.events.emitSlowConsumer({ connectionId: member.id, user: member.user });
    }
  }

  private run(): void {
    this.scheduled = false;
    const now = Date.now();
    this.clock.start();
    while (this.queue.length > 0) {
      const job = this.queue[0];
      if (job.started === 0) job.started = performance.now();
      while (job.shard < this.rooms.shardCount) {
        if (job.rest === undefined) {
          const members =
            job.room === null ? this.rooms.connectionsInShard(job.shard) : this.rooms.membersInShard(job.room, job.shard);
          if (members === undefined) {
            job.shard++;
            continue;
          }
          job.rest = members.values();
        }
        const walked = this.writeAll(job.rest, job.frames, now, true);
        if (walked) {
          job.rest = undefined;
          job.shard++;
        }
        const more = job.shard < this.rooms.shardCount || this.queue.length > 1;
        if (more && (!walked || this.clock.over)) {
          this.scheduled = true;
          setImmediate(() => this.run());
          return;
        }
      }
      this.queue.shift();
      if (job.since !== undefined) this.timings.written(job.since, job.started, performance.now());
    }
    const waiting = this.drained;
    this.drained = [];
    for (const resolve of waiting) resolve();
  }
}
