import { Logger } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { DanmakuConfig } from '../config/danmaku-config.js';
import { type CommentDraft, encodeUserItem } from '../protocol/comment.js';
import { redactUrl } from '../redis/redis-clients.js';
import { RedisKeys } from '../redis/redis-keys.js';
import type { RedisLink, RedisScript } from '../redis/redis-link.js';
import {
  Broker,
  type BrokerHealth,
  type Delivery,
  type OnceKey,
  type OnceResult,
  type Published,
  ROOM_RETENTION_SECONDS,
  type Receipt,
  type Replay,
  type RoomHead,
} from './broker.js';
import { GapFiller, MAX_FILL_ITEMS } from './gap-filler.js';
import { decodeMessage, encodeMessage, itemAroundSeq, priorityFlags } from './redis-message.js';
import { HEAD_SCRIPT, PUBLISH_ONCE_SCRIPT, PUBLISH_SCRIPT, PUBLISH_VERBATIM_ONCE_SCRIPT, REPLAY_SCRIPT } from './redis-scripts.js';

type OnceReply = [repeat: number, receipt: string];

/**
 * The broker for many processes: rooms span every process and machine sharing one Redis
 * (or one Redis Cluster, through sharded pub/sub).
 *
 * - A publish is ONE script call: INCRBY the room's seq, append to its capped history,
 *   PUBLISH every item of the call in one message. Seqs are global per room, and any
 *   process can replay any room.
 * - This process subscribes to a room's channel only while it follows the room (has
 *   members there), plus one channel for broadcasts. Items arrive as the publisher
 *   encoded them and go to deliveries$ like the memory broker's: each process merges and
 *   encodes its own batches.
 * - Likewise one channel per user while this process has connections of that user, for
 *   the items pushed to that user alone (a plain PUBLISH of the item: no seq, no history).
 * - A once-keyed publish (Idempotency-Key) stores its key and receipt in the same script
 *   call, under the room's tag: two calls with one key publish once, on any process.
 * - Health, reconnection and restoring the subscriptions are the RedisLink's: while Redis
 *   is down, publishes and reads fail fast (503). What a room missed meanwhile (or lost on
 *   the way) is read from its history and delivered in order by the GapFiller; each room's
 *   history has an epoch, kept in a key beside its seq, that a Redis which lost the
 *   history names anew.
 */
export class RedisBroker extends Broker {
  private readonly logger = new Logger('RedisBroker');
  private readonly deliveries = new Subject<Delivery>();
  readonly deliveries$ = this.deliveries.asObservable();
  private readonly keys: RedisKeys;
  private readonly publishScript: RedisScript<number>;
  private readonly replayScript: RedisScript<[lastSeq: number, gap: number, items: string[], epoch: string]>;
  private readonly headScript: RedisScript<[lastSeq: number, epoch: string]>;
  private readonly filler: GapFiller;
  /** The user of each user channel this process listens to. */
  private readonly userChannels = new Map<string, string>();
  private readonly publishOnceScript: RedisScript<OnceReply>;
  private readonly verbatimOnceScript: RedisScript<OnceReply>;

  constructor(
    private readonly config: DanmakuConfig,
    private readonly link: RedisLink,
  ) {
    super();
    this.keys = new RedisKeys(config.REDIS_PREFIX);
    this.publishScript = link.script('danmakuPublish', 4, PUBLISH_SCRIPT);
    this.replayScript = link.script('danmakuReplay', 3, REPLAY_SCRIPT);
    this.publishOnceScript = link.script('danmakuPublishOnce', 5, PUBLISH_ONCE_SCRIPT);
    this.verbatimOnceScript = link.script('danmakuPublishVerbatimOnce', 2, PUBLISH_VERBATIM_ONCE_SCRIPT);
    this.headScript = link.script('danmakuHead', 2, HEAD_SCRIPT);
    this.filler = new GapFiller({
      read: (room, since, epoch) => this.link.run(() => this.readHistory(room, since, epoch, MAX_FILL_ITEMS)),
      deliver: (delivery) => this.deliveries.next(delivery),
      isUp: () => this.link.health().ok,
    });
  }

  /** Starts receiving: the published items, and the broadcasts. */
  async connect(): Promise<void> {
    this.link.channels.onMessage((channel, message) => {
      const user = this.userChannels.get(channel);
      if (user !== undefined) this.deliverToUser({ user, json: message });
      // A user channel just given up has no such entry, and its item no record separator: decodeMessage drops it.
      else decodeMessage(message, this.filler.take);
    });
    // Up again: every subscription is restored, and what was published meanwhile is in the histories.
    this.link.back$.subscribe(() => this.filler.fillAll());
    this.link.channels.subscribe(this.keys.broadcastChannel);
    await this.link.channels.whenSubscribed(this.keys.broadcastChannel);
    this.logger.log(
      `rooms shared through Redis ${this.link.sharded ? 'Cluster (sharded pub/sub) ' : ''}at ${redactUrl(this.link.options.url)}, key prefix "${this.config.REDIS_PREFIX}"`,
    );
  }

  async publish(room: string, drafts: CommentDraft[]): Promise<Published[]> {
    const [keys, args] = this.publishArgs(room, drafts);
    const first = await this.link.run(() => this.publishScript(...keys, ...args));
    return drafts.map((draft, i) => ({ id: draft.id, seq: first + i }));
  }

  async broadcast(draft: CommentDraft): Promise<Published> {
    const [keys, args] = this.publishArgs(null, [draft]);
    const seq = await this.link.run(() => this.publishScript(...keys, ...args));
    return { id: draft.id, seq };
  }

  async publishVerbatim(room: string | null, items: string[]): Promise<void> {
    if (items.length === 0) return;
    const channel = room === null ? this.keys.broadcastChannel : this.keys.channel(room);
    const message = encodeMessage(room, items);
    const { commands } = this.link;
    await this.link.run(() => (this.link.sharded ? commands.spublish(channel, message) : commands.publish(channel, message)));
  }

  override async pushToUser(user: string, draft: CommentDraft): Promise<void> {
    const channel = this.keys.userChannel(user);
    const json = encodeUserItem(draft);
    const { commands } = this.link;
    await this.link.run(() => (this.link.sharded ? commands.spublish(channel, json) : commands.publish(channel, json)));
  }

  override async pushToUserOnce(user: string, draft: CommentDraft, once: OnceKey): Promise<OnceResult> {
    const [repeat, receipt] = await this.link.run(() =>
      this.verbatimOnceScript(
        this.keys.userChannel(user),
        this.keys.userOnce(user, once.key),
        this.publishCommand,
        encodeUserItem(draft),
        once.ttlSeconds,
        `0 1 ${draft.id}`,
      ),
    );
    return { receipt: parseReceipt(receipt), repeat: repeat === 1, published: [] };
  }

  override publishOnce(room: string, drafts: CommentDraft[], once: OnceKey): Promise<OnceResult> {
    return this.publishDraftsOnce(room, drafts, once);
  }

  override broadcastOnce(draft: CommentDraft, once: OnceKey): Promise<OnceResult> {
    return this.publishDraftsOnce(null, [draft], once);
  }

  override async publishVerbatimOnce(room: string | null, items: string[], once: OnceKey): Promise<OnceResult> {
    const channel = room === null ? this.keys.broadcastChannel : this.keys.channel(room);
    const [repeat, receipt] = await this.link.run(() =>
      this.verbatimOnceScript(
        channel,
        this.keys.once(room, 'verbatim', once.key),
        this.publishCommand,
        encodeMessage(room, items),
        once.ttlSeconds,
        `0 ${items.length} `,
      ),
    );
    return { receipt: parseReceipt(receipt), repeat: repeat === 1, published: [] };
  }

  override async keptReceipt(room: string | null, once: OnceKey): Promise<Receipt | undefined> {
    const receipt = await this.link.run(() => this.link.commands.get(this.keys.once(room, 'comments', once.key)));
    return receipt === null ? undefined : parseReceipt(receipt);
  }

  async lastSeq(room: string): Promise<number> {
    await this.subscribedTo(room);
    const seq = await this.link.run(() => this.link.commands.get(this.keys.seq(room)));
    return seq === null ? 0 : Number(seq);
  }

  override async head(room: string): Promise<RoomHead> {
    await this.subscribedTo(room);
    const [seq, epoch] = await this.link.run(() => this.headScript(this.keys.seq(room), this.keys.epoch(room), ROOM_RETENTION_SECONDS));
    this.filler.observe(room, seq, epoch);
    return { seq, epoch };
  }

  async replay(room: string, since: number, epoch?: string): Promise<Replay> {
    await this.subscribedTo(room);
    const replay = await this.link.run(() => this.readHistory(room, since, epoch, 0));
    const trimmed = this.filler.trim(room, replay);
    this.filler.observe(room, replay.lastSeq, replay.epoch);
    return trimmed;
  }

  health(): BrokerHealth {
    return this.link.health();
  }

  override deliveredSeq(room: string): number | undefined {
    return this.filler.delivered(room);
  }

  override follow(room: string): void {
    this.filler.follow(room);
    this.link.channels.subscribe(this.keys.channel(room));
  }

  override unfollow(room: string): void {
    this.filler.unfollow(room);
    this.link.channels.unsubscribe(this.keys.channel(room));
  }

  override followUser(user: string): void {
    const channel = this.keys.userChannel(user);
    this.userChannels.set(channel, user);
    this.link.channels.subscribe(channel);
  }

  override unfollowUser(user: string): void {
    const channel = this.keys.userChannel(user);
    this.userChannels.delete(channel);
    this.link.channels.unsubscribe(channel);
  }

  /** The kept items after `since` (all of them for another epoch), at most `limit` (0: all kept). */
  private async readHistory(room: string, since: number, epoch: string | undefined, limit: number): Promise<Replay> {
    const [lastSeq, gap, items, current] = await this.replayScript(
      this.keys.seq(room),
      this.keys.history(room),
      this.keys.epoch(room),
      since,
      epoch ?? '',
      ROOM_RETENTION_SECONDS,
      limit,
    );
    return { items, firstSeq: lastSeq - items.length + 1, lastSeq, gap: gap === 1, epoch: current };
  }

  private async publishDraftsOnce(room: string | null, drafts: CommentDraft[], once: OnceKey): Promise<OnceResult> {
    const [keys, args] = this.publishArgs(room, drafts);
    const onceKey = this.keys.once(room, 'comments', once.key);
    const [repeat, receipt] = await this.link.run(() =>
      this.publishOnceScript(...keys, onceKey, ...args, once.ttlSeconds, `${drafts.length} ${drafts[0].id}`),
    );
    const first = parseReceipt(receipt);
    if (repeat === 1) return { receipt: first, repeat: true, published: [] };
    return { receipt: first, repeat: false, published: drafts.map((draft, i) => ({ id: draft.id, seq: first.seq + i })) };
  }

  /** PUBLISH_SCRIPT's keys and arguments for a room's drafts, or a broadcast's (room null). */
  private publishArgs(room: string | null, drafts: CommentDraft[]): [keys: string[], args: (string | number)[]] {
    const keys =
      room === null
        ? [this.keys.broadcastSeq, this.keys.broadcastHistory, this.keys.broadcastChannel, this.keys.broadcastEpoch]
        : [this.keys.seq(room), this.keys.history(room), this.keys.channel(room), this.keys.epoch(room)];
    const args: (string | number)[] = [
      this.publishCommand,
      // Broadcasts keep no history.
      room === null ? 0 : this.config.HISTORY_SIZE,
      ROOM_RETENTION_SECONDS,
      room ?? '',
      priorityFlags(drafts.map((draft) => draft.priority)),
    ];
    for (const draft of drafts) args.push(...itemAroundSeq(draft));
    return [keys, args];
  }

  private get publishCommand(): string {
    return this.link.sharded ? 'SPUBLISH' : 'PUBLISH';
  }

  /**
   * Waits until a followed room's subscription is confirmed, so whatever is published
   * after a read of its seq or history reaches this process live (the GapFiller drops the
   * copies of what was delivered already). Bounded: a stalled Redis fails the read instead.
   */
  private subscribedTo(room: string): Promise<void> {
    return this.link.channels.whenSubscribed(this.keys.channel(room));
  }
}

/** `seq count id`, as the once scripts store it (ids hold no spaces). */
function parseReceipt(receipt: string): Receipt {
  const [seq, count, id] = receipt.split(' ');
  return { id, seq: Number(seq), count: Number(count) };
}
