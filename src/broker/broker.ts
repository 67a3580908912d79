import { type Observable, Subject } from 'rxjs';
import { type CommentDraft, encodeUserItem } from '../protocol/comment.js';
import { OnceMemo } from './once-memo.js';

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

/** One item for every connection of one user (POST /users/:user/messages), in wire form. */
export interface UserDelivery {
  user: string;
  /** The ITEM as JSON (no seq, room null), encoded once by whoever published it. */
  json: string;
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
  /** Some items after `since` are no longer kept, or the caller's epoch is not the room's. */
  gap: boolean;
  /** The room's epoch (see RoomHead); undefined from a broker that does not name its histories. */
  epoch?: string;
}

/** Where a room's stream stands: its latest seq, and the epoch of its history. */
export interface RoomHead {
  seq: number;
  /**
   * Names the room's current history; it changes only when that history is lost (a Redis
   * that restarted empty, a process restart for the memory broker), since seqs then start
   * again and a seq of the old history means nothing in the new one. Undefined from a
   * broker that does not name its histories.
   */
  epoch?: string;
}

/**
 * A publish made at most once per key: the Idempotency-Key of a POST (PROTOCOL.md
 * section 8), kept for ttlSeconds. Keys are per room for room publishes; broadcasts have
 * their own.
 */
export interface OnceKey {
  key: string;
  ttlSeconds: number;
}

/** What a once-keyed publish answered, enough to answer it again. */
export interface Receipt {
  /** The id of its first item; '' for go-push items. */
  id: string;
  /** The seq of its first item; 0 for go-push items. */
  seq: number;
  /** Items published. */
  count: number;
}

export interface OnceResult {
  /** The first publish with the key: this one, or the one this call repeats. */
  receipt: Receipt;
  /** True when an earlier call had the key: this one published nothing. */
  repeat: boolean;
  /** What this call published (empty for a repeat and for go-push items). */
  published: Published[];
}

/** Rooms whose history this process holds, and the idle ones it let go to stay under MAX_ROOMS_KEPT. */
export interface KeptRoomCounts {
  kept: number;
  evicted: number;
}

/** Once-keyed publishes a process remembers at most (the oldest are forgotten first). */
export const MAX_ONCE_KEYS = 100_000;

export interface BrokerHealth {
  ok: boolean;
  reason?: string;
}

/**
 * The seam between publishing and batching. A broker numbers a room's comments (seq),
 * keeps its history for resume, and hands every published item to each process that
 * follows the room through `deliveries$`. Publishers, the gateway and batching only ever
 * see this class, so an in-memory or a Redis engine can sit behind it. Who is online is
 * not its business: see Presence.
 */
export abstract class Broker {
  abstract readonly deliveries$: Observable<Delivery>;

  /** Numbers, keeps and delivers the comments of one room, in order. */
  abstract publish(room: string, drafts: CommentDraft[]): Promise<Published[]>;

  /** Numbers (on the broadcast counter) and delivers one item to every connection. */
  abstract broadcast(draft: CommentDraft): Promise<Published>;

  /** Delivers go-push items as they came: no seq, no history. */
  abstract publishVerbatim(room: string | null, items: string[]): Promise<void>;

  /**
   * The publish above at most once per key. This default remembers keys in this process
   * only, which is exact for a broker of one process; a shared broker stores the key with
   * the publish, atomically.
   */
  async publishOnce(room: string, drafts: CommentDraft[], once: OnceKey): Promise<OnceResult> {
    const { result, receipt, repeat } = await this.onceMemo.run(
      commentsKey(room, once),
      once.ttlSeconds * 1000,
      () => this.publish(room, drafts),
      (published) => ({ id: published[0].id, seq: published[0].seq, count: published.length }),
    );
    return { receipt, repeat, published: result ?? [] };
  }

  async broadcastOnce(draft: CommentDraft, once: OnceKey): Promise<OnceResult> {
    const { result, receipt, repeat } = await this.onceMemo.run(
      commentsKey(null, once),
      once.ttlSeconds * 1000,
      () => this.broadcast(draft),
      (published) => ({ id: published.id, seq: published.seq, count: 1 }),
    );
    return { receipt, repeat, published: result ? [result] : [] };
  }

  async publishVerbatimOnce(room: string | null, items: string[], once: OnceKey): Promise<OnceResult> {
    const { receipt, repeat } = await this.onceMemo.run(
      room === null ? `v\n${once.key}` : `v\n${room}\n${once.key}`,
      once.ttlSeconds * 1000,
      () => this.publishVerbatim(room, items),
      () => ({ id: '', seq: 0, count: items.length }),
    );
    return { receipt, repeat, published: [] };
  }

  /**
   * The receipt publishOnce (room) or broadcastOnce (null) keeps for this key, if any: a
   * repeat is answered from it before the comment filters run again.
   */
  keptReceipt(room: string | null, once: OnceKey): Promise<Receipt | undefined> {
    return this.onceMemo.kept(commentsKey(room, once));
  }

  /** Made at the first once-keyed call: a broker that overrides them never needs it. */
  private memo: OnceMemo | undefined;

  private get onceMemo(): OnceMemo {
    return (this.memo ??= new OnceMemo(MAX_ONCE_KEYS));
  }

  abstract lastSeq(room: string): Promise<number>;

  /**
   * The kept items after `since`. With an `epoch` other than the room's, `since` belongs to
   * a lost history: everything kept is replayed and reported as a gap.
   */
  abstract replay(room: string, since: number, epoch?: string): Promise<Replay>;

  /** The room's latest seq and epoch, for a JOIN without `since`; a broker without epochs answers no epoch. */
  async head(room: string): Promise<RoomHead> {
    return { seq: await this.lastSeq(room) };
  }

  abstract health(): BrokerHealth;

  /**
   * This process has members in the room from now on (see RoomSubscriptions): a broker
   * that delivers a room only to the processes that asked starts listening to it here.
   * Called at the room's first member, before that member reads lastSeq or replay.
   */
  follow(room: string): void {
    void room;
  }

  /**
   * The seq of the room's last item this process handed to deliveries$, when it knows it
   * (a room it follows): what a member joining now cannot receive live any more.
   */
  deliveredSeq(room: string): number | undefined {
    void room;
    return undefined;
  }

  /** This process's last member of the room left. */
  unfollow(room: string): void {
    void room;
  }

  private readonly userDeliveries = new Subject<UserDelivery>();
  /** Items for the users this process follows (see followUser), from every process. */
  readonly userDeliveries$: Observable<UserDelivery> = this.userDeliveries.asObservable();

  /**
   * Delivers one item to the connections of one user, wherever they are: no seq, no
   * history, nothing kept for a user with no connection. This default reaches this
   * process only; a broker shared by many processes overrides it with a channel per user.
   */
  async pushToUser(user: string, draft: CommentDraft): Promise<void> {
    this.deliverToUser({ user, json: encodeUserItem(draft) });
  }

  /** pushToUser at most once per key; like the other once-variants, kept in this process by default. */
  async pushToUserOnce(user: string, draft: CommentDraft, once: OnceKey): Promise<OnceResult> {
    const { receipt, repeat } = await this.onceMemo.run(
      `u\n${user}\n${once.key}`,
      once.ttlSeconds * 1000,
      () => this.pushToUser(user, draft),
      () => ({ id: draft.id, seq: 0, count: 1 }),
    );
    return { receipt, repeat, published: [] };
  }

  /**
   * This process has connections of the user from now on (its first one opened): a
   * broker that delivers a user's items only to the processes that asked listens from here.
   */
  followUser(user: string): void {
    void user;
  }

  /** This process's last connection of the user closed. */
  unfollowUser(user: string): void {
    void user;
  }

  /** Hands an item for a user to this process's deliveries (what a subscription received). */
  protected deliverToUser(delivery: UserDelivery): void {
    this.userDeliveries.next(delivery);
  }

  /** For /stats and /metrics; a broker that keeps history elsewhere holds none here. */
  keptRooms(): KeptRoomCounts {
    return { kept: 0, evicted: 0 };
  }
}

const commentsKey = (room: string | null, once: OnceKey) => (room === null ? `b\n${once.key}` : `c\n${room}\n${once.key}`);
