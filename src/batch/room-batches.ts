import type { Delivery } from '../broker/broker.js';
import { foldDuplicates } from './fold-duplicates.js';
import { thinBatch } from './thin-batch.js';
import { type RoomWindow, WindowPhases } from './window-phases.js';

/**
 * The clock ticks this many times per window, and busy rooms are spread over as many
 * phases; each room flushes on the first tick after its window ends.
 */
const TICKS_PER_WINDOW = 8;

/** One frame's worth of a room's items: merged, folded and thinned, in arrival order. */
export interface MergedBatch {
  /** null: a broadcast to every connection. */
  room: string | null;
  items: Delivery[];
  /** Ordinary items left out by thinning. */
  thinned: number;
  /** performance.now() when the oldest of these items was taken in (the publish→write latency starts here). */
  since: number;
}

export interface RoomBatchesOptions {
  /** BATCH_WINDOW_MS; 0: every item goes out at the end of its tick. */
  windowMs: number;
  maxItems: number;
  foldDuplicates: boolean;
  /** Members a room's frames go to, as the weight of its phase. */
  weightOf(room: string | null): number;
}

/** What the pipeline holds for one room; the record is dropped once all of it is empty. */
interface RoomBatch {
  readonly room: string | null;
  /** Set while the room is batched: its phase and when its current window ends. */
  window: RoomWindow | undefined;
  /** Items waiting for the window to end, carried priority items first. */
  waiting: Delivery[];
  /** When the oldest waiting item was taken in; read only while `waiting` holds items. */
  waitingSince: number;
  /** A quiet room's first items, sent together at the end of the current tick. */
  leading: Delivery[] | undefined;
  /** When the leading group opened. */
  leadingSince: number;
  /** The lowest seq of the room not sent yet. */
  pendingSeq: number | undefined;
  /** Priority items its last frame left for the next ones (first in `waiting`). */
  carried: number;
}

type Emit = (batch: MergedBatch) => void;

/**
 * The per-room rules of batching, one record per room with something in flight;
 * mergeByRoomWindow says when they run. A quiet room's first items go out at the end of
 * the tick (leading edge) and the room takes a phase of the window (WindowPhases); a
 * batched room's items wait for the first tick after its window ends; a window that
 * passes without items makes the room quiet again. Each frame is folded and thinned to
 * maxItems; priority items over the cap open the room's next frame.
 */
export class RoomBatches {
  /** How often takeDue must run; null: no room is ever batched, so never. */
  readonly tickMs: number | null;
  private readonly byRoom = new Map<string | null, RoomBatch>();
  /** Rooms with a leading group, in the order their groups opened. */
  private leadingRooms: RoomBatch[] = [];
  private readonly phases: WindowPhases | null;
  /** Priority items over the cap waiting for later frames, all rooms together. */
  private carriedTotal = 0;
  /** Set by takeAll (shutdown): from then on every item goes out at the end of its tick. */
  private flushing = false;

  constructor(private readonly options: RoomBatchesOptions) {
    const { windowMs } = options;
    // At least 1 ms: timers do not go finer.
    this.tickMs = windowMs === 0 ? null : Math.max(1, windowMs / TICKS_PER_WINDOW);
    this.phases = windowMs === 0 ? null : new WindowPhases(windowMs, TICKS_PER_WINDOW, Date.now());
  }

  firstPendingSeq(room: string): number | undefined {
    return this.byRoom.get(room)?.pendingSeq;
  }

  /**
   * Priority items over the cap, waiting for later frames of their rooms: each
   * `maxItems` of them is one more window before the last of them goes out.
   */
  get carriedItems(): number {
    return this.carriedTotal;
  }

  /** Takes one item in. True when it opened a leading group: takeLeading must run at the end of the tick. */
  add(delivery: Delivery): boolean {
    let batch = this.byRoom.get(delivery.room);
    if (batch === undefined) {
      batch = { room: delivery.room, window: undefined, waiting: [], waitingSince: 0, leading: undefined, leadingSince: 0, pendingSeq: undefined, carried: 0 };
      this.byRoom.set(delivery.room, batch);
    }
    if (delivery.seq !== undefined && batch.pendingSeq === undefined) batch.pendingSeq = delivery.seq;
    if (batch.leading !== undefined) {
      batch.leading.push(delivery);
      return false;
    }
    if (batch.window !== undefined && !this.flushing) {
      // One clock read per batch, not per item.
      if (batch.waiting.length === 0) batch.waitingSince = performance.now();
      batch.waiting.push(delivery);
      return false;
    }
    // One publish of many items to a quiet room is one leading frame; the room is batched
    // from now on.
    if (batch.window === undefined && this.phases !== null) {
      batch.window = this.phases.place(this.options.weightOf(batch.room), Date.now());
    }
    batch.leading = [delivery];
    batch.leadingSince = performance.now();
    this.leadingRooms.push(batch);
    return true;
  }

  /** Sends the leading groups opened since the last call. */
  takeLeading(emit: Emit): void {
    if (this.leadingRooms.length === 0) return;
    const rooms = this.leadingRooms;
    this.leadingRooms = [];
    for (const batch of rooms) {
      const items = batch.leading ?? [];
      batch.leading = undefined;
      this.send(batch, items, batch.leadingSince, emit);
    }
  }

  /** Sends every batched room whose window has ended by `now`, and lets rooms that stayed quiet go. */
  takeDue(now: number, emit: Emit): void {
    const phases = this.phases;
    if (phases === null) return;
    for (const batch of this.byRoom.values()) {
      const window = batch.window;
      if (window === undefined || window.due > now) continue;
      if (batch.waiting.length === 0) {
        phases.release(window);
        batch.window = undefined;
        this.dropIfEmpty(batch);
        continue;
      }
      const items = batch.waiting;
      batch.waiting = [];
      phases.advance(window, now);
      this.send(batch, items, batch.waitingSince, emit);
    }
  }

  /** Sends everything held, carried items included (shutdown); later items go out at the end of their tick. */
  takeAll(emit: Emit): void {
    this.flushing = true;
    this.takeLeading(emit);
    let carried = true;
    while (carried) {
      carried = false;
      for (const batch of this.byRoom.values()) {
        if (batch.waiting.length === 0) continue;
        const items = batch.waiting;
        batch.waiting = [];
        this.send(batch, items, batch.waitingSince, emit);
        if (batch.waiting.length > 0) carried = true;
      }
    }
  }

  /** @param since when the oldest of `items` was taken in. */
  private send(batch: RoomBatch, items: Delivery[], since: number, emit: Emit): void {
    const merged = this.options.foldDuplicates ? foldDuplicates(items) : items;
    const { send, carry, thinned } = thinBatch(merged, this.options.maxItems);
    this.carriedTotal += carry.length - batch.carried;
    batch.carried = carry.length;
    if (carry.length > 0 && this.phases === null) {
      // No window to wait for: the carried items follow at once, in frames of their own.
      emit({ room: batch.room, items: send, thinned, since });
      this.send(batch, carry, since, emit);
      return;
    }
    // Carried items go first in the room's next frame, before what arrives meanwhile,
    // and that frame's latency counts from when they came.
    if (carry.length > 0) {
      batch.waitingSince = batch.waiting.length === 0 ? since : Math.min(since, batch.waitingSince);
      batch.waiting = [...carry, ...batch.waiting];
    }
    batch.pendingSeq = batch.waiting.find((item) => item.seq !== undefined)?.seq;
    this.dropIfEmpty(batch);
    emit({ room: batch.room, items: send, thinned, since });
  }

  private dropIfEmpty(batch: RoomBatch): void {
    if (batch.window === undefined && batch.leading === undefined && batch.waiting.length === 0) {
      this.byRoom.delete(batch.room);
    }
  }
}
