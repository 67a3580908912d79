import { randomBytes } from 'node:crypto';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Subject } from 'rxjs';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { type CommentDraft, encodeItem } from '../protocol/comment.js';
import {
  Broker,
  type BrokerHealth,
  type Delivery,
  type KeptRoomCounts,
  type Published,
  ROOM_RETENTION_SECONDS,
  type Replay,
  type RoomHead,
} from './broker.js';
import { HistoryRing } from './history-ring.js';
import { KeptRooms } from './kept-rooms.js';

/** How often rooms past ROOM_RETENTION_SECONDS are looked for. */
const RETENTION_SWEEP_MS = 3600 * 1000;

/**
 * The single-process broker: seqs, history and delivery all live in this process. A
 * room's history is dropped after ROOM_RETENTION_SECONDS without a publish (as Redis
 * expires its keys), so a long-running server does not keep every room it ever saw, and
 * at most MAX_ROOMS_KEPT rooms are kept at all: any viewer can make a room's history (JOIN
 * and COMMENT), so past the cap the least recently used room without members is let go
 * (to its clients, like a restart: a resume then reports a gap).
 *
 * Every history this process creates gets an epoch of its own: this process's random name
 * and a counter, so a restarted process (or a room forgotten and begun again) never
 * repeats one.
 */
@Injectable()
export class MemoryBroker extends Broker implements OnApplicationShutdown {
  private readonly deliveries = new Subject<Delivery>();
  readonly deliveries$ = this.deliveries.asObservable();
  private readonly histories: KeptRooms<HistoryRing>;
  private broadcastSeq = 0;
  private readonly epochPrefix = randomBytes(6).toString('base64url');
  private historiesCreated = 0;
  /** What a room without history reads as, to readers that are not its members. */
  private readonly noHistory = new HistoryRing(1, `${this.epochPrefix}.0`);
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly config: DanmakuConfig) {
    super();
    this.histories = new KeptRooms(config.MAX_ROOMS_KEPT);
    this.sweep = setInterval(() => this.forgetIdleRooms(Date.now()), RETENTION_SWEEP_MS);
    this.sweep.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweep);
  }

  async publish(room: string, drafts: CommentDraft[]): Promise<Published[]> {
    const history = this.historyOf(room);
    const published = new Array<Published>(drafts.length);
    const now = Date.now();
    for (let i = 0; i < drafts.length; i++) {
      const draft = drafts[i];
      const seq = history.lastSeq + 1;
      const json = encodeItem(draft, seq);
      history.push(seq, json, now);
      published[i] = { id: draft.id, seq };
      this.deliveries.next({ room, json, priority: draft.priority, seq });
    }
    return published;
  }

  async broadcast(draft: CommentDraft): Promise<Published> {
    const seq = ++this.broadcastSeq;
    this.deliveries.next({ room: null, json: encodeItem(draft, seq), priority: draft.priority });
    return { id: draft.id, seq };
  }

  async publishVerbatim(room: string | null, items: string[]): Promise<void> {
    for (const json of items) this.deliveries.next({ room, json, priority: false });
  }

  async lastSeq(room: string): Promise<number> {
    return this.histories.get(room)?.lastSeq ?? 0;
  }

  override async head(room: string): Promise<RoomHead> {
    const history = this.historyToRead(room);
    return { seq: history.lastSeq, epoch: history.epoch };
  }

  async replay(room: string, since: number, epoch?: string): Promise<Replay> {
    const history = this.historyToRead(room);
    // A seq of another history: everything kept is new to the caller.
    const from = epoch !== undefined && epoch !== history.epoch ? -1 : since;
    return { ...history.since(from), lastSeq: history.lastSeq, epoch: history.epoch };
  }

  health(): BrokerHealth {
    return { ok: true };
  }

  /** Every publish hands its items to deliveries$ at once: the last seq is the last delivered. */
  override deliveredSeq(room: string): number | undefined {
    return this.histories.get(room)?.lastSeq;
  }

  override follow(room: string): void {
    this.histories.follow(room);
  }

  override unfollow(room: string): void {
    this.histories.unfollow(room);
  }

  override keptRooms(): KeptRoomCounts {
    return { kept: this.histories.size, evicted: this.histories.evicted };
  }

  /** Rooms with members are kept whatever their age: a lost seq would restart under them. */
  private forgetIdleRooms(now: number): void {
    const oldest = now - ROOM_RETENTION_SECONDS * 1000;
    this.histories.forgetIdle((history) => history.lastPushAt < oldest);
  }

  /**
   * Made at a member's read too, so the epoch a viewer is told before the first comment
   * stays the room's. Anyone else's read of a room without history makes none (it would
   * push a kept room out) and sees the empty one.
   */
  private historyToRead(room: string): HistoryRing {
    return this.histories.isFollowed(room) ? this.historyOf(room) : (this.histories.get(room) ?? this.noHistory);
  }

  private historyOf(room: string): HistoryRing {
    return this.histories.use(
      room,
      () => new HistoryRing(this.config.HISTORY_SIZE, `${this.epochPrefix}.${(++this.historiesCreated).toString(36)}`),
    );
  }
}
