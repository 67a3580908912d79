import { Logger, type OnApplicationShutdown, ServiceUnavailableException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Subject, type Subscription } from 'rxjs';
import type { DanmakuConfig } from '../config/danmaku-config.js';
import type { CommentDraft } from '../protocol/comment.js';
import type { RoomService } from '../rooms/room.service.js';
import { Broker, type BrokerHealth, type Delivery, type Published, ROOM_RETENTION_SECONDS, type Replay } from './broker.js';
import { RedisLink, redactUrl } from './redis-connection.js';
import { RedisKeys } from './redis-keys.js';
import { decodeMessage, encodeMessage, itemAroundSeq, priorityFlags } from './redis-message.js';

/** Health checks at most this far apart. */
const MAX_CHECK_INTERVAL_MS = 1000;

/** Failed PINGs on connections that still look open before they are dropped and re-opened. */
const PINGS_BEFORE_RECONNECT = 3;

/**
 * The broker for many processes: rooms span every process and machine sharing one Redis
 * (or one Redis Cluster, through sharded pub/sub).
 *
 * - A publish is ONE script call: INCRBY the room's seq, append to its capped history,
 *   PUBLISH every item of the call in one message. Seqs are global per room, and any
 *   process can replay any room.
 * - This process subscribes to a room's channel only while it has members there (on
 *   RoomService.opened$/closed$), plus one channel for broadcasts. Items arrive as the
 *   publisher encoded them and go to deliveries$ like the memory broker's: each process
 *   merges and encodes its own batches.
 * - Each process reports its member count per room (with expiry) and learns the room's
 *   total over all live processes; see PRESENCE_SCRIPT.
 * - A lost or stalled Redis is detected by PINGs with a timeout: health() turns bad,
 *   publishes fail fast (503), viewers stay connected; on return every subscription is
 *   restored before health turns good again.
 */
export class RedisBroker extends Broker implements OnApplicationShutdown {
  private readonly logger = new Logger('RedisBroker');
  private readonly deliveries = new Subject<Delivery>();
  readonly deliveries$ = this.deliveries.asObservable();
  private readonly onlineChanged = new Subject<string>();
  override readonly onlineChanged$ = this.onlineChanged.asObservable();

  private readonly keys: RedisKeys;
  private readonly link: RedisLink;
  private readonly sharded: boolean;
  private readonly processId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly presenceTtlMs: number;
  private readonly presenceEveryMs: number;

  /** Rooms this process has members in, each with the promise of its subscription (and first count). */
  private readonly followed = new Map<string, Promise<unknown>>();
  /** Per room, this process's count as last reported. */
  private readonly reported = new Map<string, number>();
  /** Per followed room, the members of every other process, as last learnt. */
  private readonly others = new Map<string, number>();

  /** Why Redis counts as down; undefined while it is up. */
  private down: string | undefined = 'connecting';
  private subscriptionsRestored = false;
  private restoring = false;
  private failedPings = 0;
  private checking = false;
  private closing = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly config: DanmakuConfig,
    private readonly rooms: RoomService,
  ) {
    super();
    this.keys = new RedisKeys(config.REDIS_PREFIX);
    this.sharded = config.REDIS_CLUSTER;
    this.link = new RedisLink({ url: config.REDIS_URL!, cluster: config.REDIS_CLUSTER, timeoutMs: config.REDIS_TIMEOUT_MS });
    this.presenceEveryMs = Math.max(100, Math.floor(config.ONLINE_INTERVAL_MS / 2));
    this.presenceTtlMs = Math.max(3000, 3 * this.presenceEveryMs);
  }

  /** Connects and subscribes, or throws a ConfigError naming REDIS_URL (nothing half-started). */
  async connect(): Promise<void> {
    await this.link.connect();
    const { subscriber } = this.link;
    const onMessage = (_channel: string, message: string) => decodeMessage(message, this.deliver);
    subscriber.on(this.sharded ? 'smessage' : 'message', onMessage);
    for (const client of this.link.clients) {
      client.on('close', () => this.markDown(`connection to Redis lost${this.errorSuffix()}`));
      client.on('ready', () => void this.check());
    }
    if (!this.sharded) {
      subscriber.on('close', () => (this.subscriptionsRestored = false));
      subscriber.on('ready', () => void this.restoreSubscriptions());
    }
    await this.restoreSubscriptions();
    this.subscriptions.push(
      this.rooms.opened$.subscribe((room) => this.follow(room)),
      this.rooms.closed$.subscribe((room) => this.unfollow(room)),
    );
    const checkEvery = Math.min(MAX_CHECK_INTERVAL_MS, Math.max(100, Math.floor(this.config.REDIS_TIMEOUT_MS / 2)));
    this.timers.push(
      setInterval(() => void this.check(), checkEvery),
      setInterval(() => this.reportAll(), this.presenceEveryMs),
    );
    await this.check();
    this.logger.log(
      `rooms shared through Redis ${this.sharded ? 'Cluster (sharded pub/sub) ' : ''}at ${this.describeUrl()}, key prefix "${this.config.REDIS_PREFIX}"`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    // Take this process's members out of the counts now rather than at expiry.
    if (!this.down) {
      await Promise.allSettled([...this.reported.keys()].map((room) => this.report(room, 0)));
    }
    await this.link.quit();
  }

  async publish(room: string, drafts: CommentDraft[]): Promise<Published[]> {
    const args: (string | number)[] = [
      this.keys.seq(room),
      this.keys.history(room),
      this.keys.channel(room),
      this.publishCommand,
      this.config.HISTORY_SIZE,
      ROOM_RETENTION_SECONDS,
      room,
      priorityFlags(drafts.map((draft) => draft.priority)),
    ];
    for (const draft of drafts) args.push(...itemAroundSeq(draft));
    const first = await this.command(() => this.link.scripts.danmakuPublish(...args));
    return drafts.map((draft, i) => ({ id: draft.id, seq: first + i }));
  }

  async broadcast(draft: CommentDraft): Promise<Published> {
    const [head, tail] = itemAroundSeq(draft);
    const seq = await this.command(() =>
      this.link.scripts.danmakuPublish(
        this.keys.broadcastSeq,
        this.keys.broadcastHistory,
        this.keys.broadcastChannel,
        this.publishCommand,
        0,
        ROOM_RETENTION_SECONDS,
        '',
        priorityFlags([draft.priority]),
        head,
        tail,
      ),
    );
    return { id: draft.id, seq };
  }

  async publishVerbatim(room: string | null, items: string[]): Promise<void> {
    if (items.length === 0) return;
    const channel = room === null ? this.keys.broadcastChannel : this.keys.channel(room);
    const message = encodeMessage(room, items);
    await this.command(() => (this.sharded ? this.link.commands.spublish(channel, message) : this.link.commands.publish(channel, message)));
  }

  async lastSeq(room: string): Promise<number> {
    await this.whenFollowing(room);
    const seq = await this.command(() => this.link.commands.get(this.keys.seq(room)));
    return seq === null ? 0 : Number(seq);
  }

  async replay(room: string, since: number): Promise<Replay> {
    await this.whenFollowing(room);
    const [lastSeq, gap, items] = await this.command(() =>
      this.link.scripts.danmakuReplay(this.keys.seq(room), this.keys.history(room), since),
    );
    return { items, firstSeq: lastSeq - items.length + 1, lastSeq, gap: gap === 1 };
  }

  health(): BrokerHealth {
    return this.down === undefined ? { ok: true } : { ok: false, reason: this.down };
  }

  override onlineIn(room: string, local: number): number {
    return local + (this.others.get(room) ?? 0);
  }

  override async online(room: string, local: number): Promise<number> {
    if (this.followed.has(room)) {
      await this.whenFollowing(room);
      return this.onlineIn(room, local);
    }
    // Not followed here: count 0 for this process, which also reads the total.
    return local + (await this.command(() => this.report(room, 0)));
  }

  private readonly deliver = (delivery: Delivery): void => this.deliveries.next(delivery);

  private get publishCommand(): string {
    return this.sharded ? 'SPUBLISH' : 'PUBLISH';
  }

  /** Runs a Redis command; while Redis is down, or when it fails, answers 503. */
  private async command<T>(run: () => Promise<T>): Promise<T> {
    if (this.down !== undefined) throw new ServiceUnavailableException(`broker unavailable: ${this.down}`);
    try {
      return await run();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ServiceUnavailableException(`broker unavailable: ${reason}`);
    }
  }

  // --- subscriptions -------------------------------------------------------------------

  private subscribe(channels: string[]): Promise<unknown> {
    const { subscriber } = this.link;
    if (!this.sharded) return subscriber.subscribe(...channels);
    // Sharded: one SSUBSCRIBE per channel, each routed to the shard that owns its slot.
    return Promise.all(channels.map((channel) => subscriber.ssubscribe(channel)));
  }

  private follow(room: string): void {
    const ready = Promise.all([this.subscribe([this.keys.channel(room)]), this.report(room)]);
    ready.catch(() => undefined);
    this.followed.set(room, ready);
  }

  private unfollow(room: string): void {
    this.followed.delete(room);
    this.others.delete(room);
    const channel = this.keys.channel(room);
    const { subscriber } = this.link;
    (this.sharded ? subscriber.sunsubscribe(channel) : subscriber.unsubscribe(channel)).catch(() => undefined);
  }

  /**
   * Waits until the room's subscription is confirmed, so whatever is published after a
   * read of its seq or history reaches this process live (an item may come twice, by
   * replay and live, never not at all). Bounded: a stalled Redis fails the read instead.
   */
  private async whenFollowing(room: string): Promise<void> {
    const ready = this.followed.get(room);
    if (!ready) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ready.catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, this.config.REDIS_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
  }

  /** (Re)subscribes the broadcast channel and every followed room: at start and after each reconnection. */
  private async restoreSubscriptions(): Promise<void> {
    if (this.closing || this.restoring) return;
    this.restoring = true;
    const rooms = [...this.followed.keys()];
    const channels = [this.keys.broadcastChannel, ...rooms.map((room) => this.keys.channel(room))];
    try {
      const chunks: Promise<unknown>[] = [];
      for (let i = 0; i < channels.length; i += 1000) chunks.push(this.subscribe(channels.slice(i, i + 1000)));
      const all = Promise.all(chunks);
      for (const room of rooms) this.followed.set(room, all);
      await all;
      this.subscriptionsRestored = true;
      if (rooms.length > 0) this.logger.log(`subscriptions restored: ${rooms.length} rooms and broadcasts`);
      void this.check();
    } catch (error) {
      this.logger.debug(`subscribing failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.restoring = false;
    }
  }

  // --- health --------------------------------------------------------------------------

  private async check(): Promise<void> {
    if (this.checking || this.closing) return;
    this.checking = true;
    try {
      if (!this.link.ready) {
        this.markDown(`not connected to Redis${this.errorSuffix()}`);
        return;
      }
      await this.link.ping();
      this.failedPings = 0;
      if (!this.sharded && !this.subscriptionsRestored) {
        this.markDown('restoring subscriptions');
        // A restore that failed (Redis went away again meanwhile) is tried again.
        void this.restoreSubscriptions();
        return;
      }
      this.markUp();
    } catch (error) {
      this.markDown(error instanceof Error ? error.message : String(error));
      // Open connections that stopped answering (a stalled host, a silent network) are
      // dropped and re-opened rather than waited on for minutes of TCP timeouts.
      if (++this.failedPings >= PINGS_BEFORE_RECONNECT && this.link.ready) {
        this.failedPings = 0;
        this.logger.warn('Redis stopped answering: reconnecting');
        this.link.reconnect();
      }
    } finally {
      this.checking = false;
    }
  }

  private markDown(reason: string): void {
    if (this.closing) return;
    if (this.down === undefined) {
      this.logger.warn(`Redis is down: ${reason}`);
    }
    this.down = reason;
  }

  private markUp(): void {
    if (this.down === undefined) return;
    if (this.down !== 'connecting') this.logger.log('Redis is back');
    this.down = undefined;
    this.reportAll();
  }

  private errorSuffix(): string {
    const error = this.link.lastErrorMessage;
    return error ? ` (${error})` : '';
  }

  private describeUrl(): string {
    return redactUrl(this.config.REDIS_URL!);
  }

  // --- presence ------------------------------------------------------------------------

  /** Reports every room with members here, and a last 0 for rooms that emptied. */
  private reportAll(): void {
    if (this.down !== undefined || this.closing) return;
    for (const room of this.rooms.rooms) this.report(room).catch(() => undefined);
    for (const room of this.reported.keys()) {
      if (this.rooms.onlineIn(room) === 0) this.report(room, 0).catch(() => undefined);
    }
  }

  /** Reports this process's count of the room; resolves with the room's total. */
  private async report(room: string, count = this.rooms.onlineIn(room)): Promise<number> {
    const total = await this.link.scripts.danmakuPresence(
      this.keys.presence(room),
      this.keys.presenceDeadlines(room),
      this.processId,
      count,
      this.presenceTtlMs,
    );
    if (count === 0) this.reported.delete(room);
    else this.reported.set(room, count);
    if (this.followed.has(room)) {
      const others = Math.max(0, total - count);
      if (this.others.get(room) !== others) {
        this.others.set(room, others);
        this.onlineChanged.next(room);
      }
    }
    return total;
  }
}
