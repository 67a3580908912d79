import type { Delivery, Replay } from './broker.js';

/**
 * Items one fill reads at most: the newest of the missing ones, as a resume delivers what
 * is kept; older ones stay a visible seq jump.
 */
export const MAX_FILL_ITEMS = 1000;

/** Live items a room holds while its fill is in flight; past this the fill is given up. */
export const MAX_HELD_ITEMS = 10_000;

export interface GapFillerOptions {
  /** The room's kept items after `since` in `epoch`, at most MAX_FILL_ITEMS (see Broker.replay). */
  read(room: string, since: number, epoch: string | undefined): Promise<Replay>;
  /** Hands an item on to the batches. */
  deliver(delivery: Delivery): void;
  /** The broker counts as up: a fill that failed while it is down waits for fillAll instead of giving up. */
  isUp(): boolean;
  maxHeld?: number;
}

/** What the filler knows of one followed room. */
interface RoomStream {
  readonly room: string;
  /** The seq of the last item handed on; -1 until the first item or read of the room. */
  last: number;
  /** The epoch `last` belongs to, once a read told it. */
  epoch: string | undefined;
  /**
   * A read of the room just moved `last` ahead of the live items: the ones up to `last`
   * that were on their way arrive once more and are dropped, until the next item in order.
   */
  afterRead: boolean;
  /** Live items held, in arrival order, while a fill is in flight or waits for the broker; undefined: no fill. */
  held: Delivery[] | undefined;
  /** Counts the room's fills, so the answer of one superseded or given up is ignored. */
  fills: number;
  inFlight: boolean;
}

/**
 * Keeps the live items of every followed room complete, in order and once, across a lost
 * subscription and a history that was lost and began again.
 *
 * The hot path is one map lookup and one comparison per item: an item whose seq is the
 * room's last plus one goes straight on. Any other seq starts the room's fill (one at a
 * time per room): the missing items are read from the history and handed on in order,
 * while live items that arrive meanwhile are held and follow them, those already handed
 * on dropped. A fill also runs for every room when the broker's subscriptions come back
 * (fillAll), since what was published while they were down never arrives live. What the
 * history no longer keeps stays a seq jump, which a viewer sees as after a resume with a
 * gap. A history of another epoch (or a seq that went backwards) is a new stream: what it
 * keeps is handed on, and live delivery goes on from its seqs.
 */
export class GapFiller {
  private readonly rooms = new Map<string, RoomStream>();
  private readonly maxHeld: number;

  constructor(private readonly options: GapFillerOptions) {
    this.maxHeld = options.maxHeld ?? MAX_HELD_ITEMS;
  }

  /** The room's items count from now on: its last seq comes with its first item or read. */
  follow(room: string): void {
    if (this.rooms.has(room)) return;
    this.rooms.set(room, { room, last: -1, epoch: undefined, afterRead: false, held: undefined, fills: 0, inFlight: false });
  }

  unfollow(room: string): void {
    this.rooms.delete(room);
  }

  /** One live item, in the order the broker delivered it. */
  readonly take = (delivery: Delivery): void => {
    const { room, seq } = delivery;
    const stream = seq === undefined || room === null ? undefined : this.rooms.get(room);
    if (stream === undefined) {
      this.options.deliver(delivery);
      return;
    }
    if (stream.held !== undefined) {
      this.hold(stream, delivery);
      return;
    }
    if (seq === stream.last + 1 || stream.last < 0) {
      stream.last = seq!;
      stream.afterRead = false;
      this.options.deliver(delivery);
      return;
    }
    if (seq! <= stream.last && stream.afterRead) return;
    // A jump (items lost on the way), or a seq that went back (a history begun again).
    stream.held = [delivery];
    this.fill(stream);
  };

  /**
   * A read of the room (a JOIN's) saw its seq and epoch: the first read of a room starts
   * its count; an epoch other than the one delivered means the history was lost meanwhile.
   */
  observe(room: string, seq: number, epoch: string | undefined): void {
    const stream = this.rooms.get(room);
    if (stream === undefined) return;
    if (stream.last < 0) {
      stream.last = seq;
      stream.epoch = epoch;
      stream.afterRead = true;
    } else if (stream.epoch === undefined) {
      stream.epoch = epoch;
    } else if (epoch !== undefined && epoch !== stream.epoch && !stream.inFlight) {
      stream.held ??= [];
      this.fill(stream);
    }
  }

  /**
   * A replay for a member joining the room stops where the delivered items end: the rest
   * reaches every member live or with a fill, the joiner included, and replaying it too
   * would deliver it twice.
   */
  trim(room: string, replay: Replay): Replay {
    const stream = this.rooms.get(room);
    if (stream === undefined || stream.last < 0 || replay.epoch !== stream.epoch) return replay;
    const keep = Math.max(0, Math.min(replay.items.length, stream.last - replay.firstSeq + 1));
    return keep === replay.items.length ? replay : { ...replay, items: replay.items.slice(0, keep) };
  }

  /** The room's last seq handed on, once its count has started. */
  delivered(room: string): number | undefined {
    const last = this.rooms.get(room)?.last;
    return last === undefined || last < 0 ? undefined : last;
  }

  /** The subscriptions are back: whatever was published while they were down is read, room by room. */
  fillAll(): void {
    for (const stream of this.rooms.values()) {
      if (stream.last < 0 || stream.inFlight) continue;
      stream.held ??= [];
      this.fill(stream);
    }
  }

  /** Rooms with a fill in flight or waiting for the broker. */
  get filling(): number {
    let count = 0;
    for (const stream of this.rooms.values()) if (stream.held !== undefined) count++;
    return count;
  }

  private fill(stream: RoomStream): void {
    const fill = ++stream.fills;
    const from = stream.last;
    stream.inFlight = true;
    this.options.read(stream.room, from, stream.epoch).then(
      (replay) => {
        if (this.isCurrent(stream, fill)) this.complete(stream, from, replay);
      },
      () => {
        if (this.isCurrent(stream, fill)) this.failed(stream);
      },
    );
  }

  private isCurrent(stream: RoomStream, fill: number): boolean {
    return this.rooms.get(stream.room) === stream && stream.fills === fill;
  }

  private complete(stream: RoomStream, from: number, replay: Replay): void {
    stream.inFlight = false;
    const newStream = replay.lastSeq < from || (stream.epoch !== undefined && replay.epoch !== undefined && replay.epoch !== stream.epoch);
    // A new stream's kept items are all new here (the read replayed them all).
    let last = newStream ? 0 : from;
    const { room } = stream;
    const { items, firstSeq } = replay;
    for (let i = 0; i < items.length; i++) {
      const seq = firstSeq + i;
      if (seq <= last) continue;
      this.options.deliver({ room, json: items[i], priority: false, seq });
      last = seq;
    }
    stream.last = newStream ? replay.lastSeq : Math.max(from, replay.lastSeq);
    if (replay.epoch !== undefined) stream.epoch = replay.epoch;
    stream.afterRead = true;
    const held = stream.held ?? [];
    stream.held = undefined;
    // Through take: a held item may show a jump of its own and start the next fill.
    for (const delivery of held) this.take(delivery);
  }

  private failed(stream: RoomStream): void {
    stream.inFlight = false;
    // The broker is down: nothing arrives live meanwhile, and fillAll tries again once it is back.
    if (!this.options.isUp()) return;
    this.giveUp(stream);
  }

  private hold(stream: RoomStream, delivery: Delivery): void {
    const held = stream.held!;
    held.push(delivery);
    if (held.length > this.maxHeld) {
      stream.fills++;
      stream.inFlight = false;
      this.giveUp(stream);
    }
  }

  /**
   * Hands on what is held, in order, but for items known to be handed on already: the
   * missing items stay a jump, a seq that went back starts the count again, and live
   * delivery goes on.
   */
  private giveUp(stream: RoomStream): void {
    const held = stream.held ?? [];
    const deliveredUpTo = stream.afterRead ? stream.last : -1;
    stream.held = undefined;
    stream.afterRead = false;
    for (const delivery of held) {
      if (delivery.seq! <= deliveredUpTo) continue;
      stream.last = delivery.seq!;
      this.options.deliver(delivery);
    }
  }
}
