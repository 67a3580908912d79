import { NEVER, type Observable } from 'rxjs';
import type { CommentDraft } from '../protocol/comment.js';

/**
 * A room's seq and history are forgotten after this long without a publish, by every
 * broker (to its clients, like a restart: a resume then reports a gap).
 */
export const ROOM_RETENTION_SECONDS = 7 * 24 * 3600;

/** One item on its way to this process's batches, already in wire form. */
export interface Delivery {
  /** null: a broadcast to every connection. */
  room: string | null;
  /** The ITEM as JSON, encoded once by whoever published it. */
  json: string;
  /** Priority items are never thinned out of a batch. */
  priority: boolean;
  /** The room's seq of this item; undefined for go-push items, which take none. */
  seq?: number;
}

export interface Published {
  id: string;
  seq: number;
}

export interface Replay {
  /** Kept items with seq > since, oldest first, in wire form; seqs are consecutive. */
  items: string[];
  /** The seq of items[0]. */
  firstSeq: number;
  /** The room's latest seq. */
  lastSeq: number;
  /** Some items after `since` are no longer kept. */
  gap: boolean;
}

export interface BrokerHealth {
  ok: boolean;
  reason?: string;
}

/**
 * The seam between publishing and batching. A broker numbers a room's comments (seq),
 * keeps its history for resume, and hands every published item to each process that
 * has members in the room through `deliveries$`. Publishers, the gateway and batching
 * only ever see this class, so an in-memory or a Redis engine can sit behind it.
 */
export abstract class Broker {
  abstract readonly deliveries$: Observable<Delivery>;

  /** Numbers, keeps and delivers the comments of one room, in order. */
  abstract publish(room: string, drafts: CommentDraft[]): Promise<Published[]>;

  /** Numbers (on the broadcast counter) and delivers one item to every connection. */
  abstract broadcast(draft: CommentDraft): Promise<Published>;

  /** Delivers go-push items as they came: no seq, no history. */
  abstract publishVerbatim(room: string | null, items: string[]): Promise<void>;

  abstract lastSeq(room: string): Promise<number>;

  abstract replay(room: string, since: number): Promise<Replay>;

  abstract health(): BrokerHealth;

  /**
   * The room's members in every process that shares this broker, as this process last
   * learnt it (no round trip); `local` is this process's own count. Alone: `local`.
   */
  onlineIn(room: string, local: number): number {
    void room;
    return local;
  }

  /** Like onlineIn, but asks the shared store when this process has no member in the room. */
  async online(room: string, local: number): Promise<number> {
    return this.onlineIn(room, local);
  }

  /** Rooms whose count changed in other processes (for ONLINE announcements). Alone: never. */
  readonly onlineChanged$: Observable<string> = NEVER;
}
