import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Observable, Subject, type Subscription, merge } from 'rxjs';
import type { DanmakuConfig } from '../config/danmaku-config.js';
import { RedisKeys } from '../redis/redis-keys.js';
import type { RedisLink, RedisScript } from '../redis/redis-link.js';
import { waitAtMost } from '../redis/wait-at-most.js';
import type { RoomService } from '../rooms/room.service.js';
import { PRESENCE_SCRIPT } from './presence-script.js';
import { Presence } from './presence.js';

/**
 * Counts over every process sharing one Redis. Each process reports its member count per
 * room and learns the room's total in the same call (PRESENCE_SCRIPT): when a room opens
 * here, every ONLINE_INTERVAL_MS / 2 for each room with members, once more with 0 when a
 * room empties, when Redis comes back, and with 0 for every room at shutdown. A report
 * expires, so the members of a process that died vanish on their own.
 */
export class RedisPresence extends Presence implements OnModuleInit, OnApplicationShutdown {
  readonly changed$: Observable<string>;
  private readonly elsewhereChanged = new Subject<string>();
  private readonly keys: RedisKeys;
  private readonly presenceScript: RedisScript<number>;
  private readonly processId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly reportEveryMs: number;
  private readonly ttlMs: number;

  /** Rooms with members here, each with the promise of its first count. */
  private readonly counted = new Map<string, Promise<unknown>>();
  /** Per room, this process's count as last reported. */
  private readonly reported = new Map<string, number>();
  /** Per counted room, the members of every other process, as last learnt. */
  private readonly elsewhere = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private subscriptions: Subscription[] = [];

  constructor(
    private readonly link: RedisLink,
    private readonly rooms: RoomService,
    private readonly config: DanmakuConfig,
  ) {
    super();
    this.keys = new RedisKeys(config.REDIS_PREFIX);
    this.presenceScript = link.script('danmakuPresence', 2, PRESENCE_SCRIPT);
    this.reportEveryMs = Math.max(100, Math.floor(config.ONLINE_INTERVAL_MS / 2));
    this.ttlMs = Math.max(3000, 3 * this.reportEveryMs);
    this.changed$ = merge(rooms.changed$, this.elsewhereChanged);
  }

  onModuleInit(): void {
    this.subscriptions = [
      this.rooms.opened$.subscribe((room) => this.counted.set(room, this.report(room).catch(() => undefined))),
      this.rooms.closed$.subscribe((room) => {
        this.counted.delete(room);
        this.elsewhere.delete(room);
      }),
      this.link.back$.subscribe(() => this.reportAll()),
    ];
    this.timer = setInterval(() => this.reportAll(), this.reportEveryMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    // Take this process's members out of the counts now rather than at expiry.
    if (this.link.health().ok) {
      await Promise.allSettled([...this.reported.keys()].map((room) => this.report(room, 0)));
    }
  }

  onlineIn(room: string): number {
    return this.rooms.onlineIn(room) + (this.elsewhere.get(room) ?? 0);
  }

  async online(room: string): Promise<number> {
    const counted = this.counted.get(room);
    if (counted) {
      await waitAtMost(counted, this.config.REDIS_TIMEOUT_MS);
      return this.onlineIn(room);
    }
    // No member here: reporting 0 for this process also reads the total.
    return this.rooms.onlineIn(room) + (await this.link.run(() => this.report(room, 0)));
  }

  /** Reports every room with members here, and a last 0 for rooms that emptied. */
  private reportAll(): void {
    if (!this.link.health().ok) return;
    for (const room of this.rooms.rooms) this.report(room).catch(() => undefined);
    for (const room of this.reported.keys()) {
      if (this.rooms.onlineIn(room) === 0) this.report(room, 0).catch(() => undefined);
    }
  }

  /** Reports this process's count of the room; resolves with the room's total. */
  private async report(room: string, count = this.rooms.onlineIn(room)): Promise<number> {
    const total = await this.presenceScript(this.keys.presence(room), this.keys.presenceDeadlines(room), this.processId, count, this.ttlMs);
    if (count === 0) this.reported.delete(room);
    else this.reported.set(room, count);
    if (this.counted.has(room)) {
      const elsewhere = Math.max(0, total - count);
      if (this.elsewhere.get(room) !== elsewhere) {
        this.elsewhere.set(room, elsewhere);
        this.elsewhereChanged.next(room);
      }
    }
    return total;
  }
}
