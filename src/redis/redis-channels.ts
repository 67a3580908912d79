import { Logger } from '@nestjs/common';
import type { RedisClients } from './redis-clients.js';
import { waitAtMost } from './wait-at-most.js';

/** Channels are re-subscribed in commands of at most this many. */
const CHANNELS_PER_COMMAND = 1000;

export type ChannelListener = (channel: string, message: string) => void;

/**
 * The pub/sub channels this process listens to, each with the promise of its
 * subscription. A single Redis forgets them whenever the subscriber connection drops
 * (ioredis' own resubscribe is off), so they are kept here and restored in one pass; on a
 * Redis Cluster, ioredis' sharded subscribers restore their own.
 */
export class RedisChannels {
  private readonly logger = new Logger('Redis');
  private readonly subscribed = new Map<string, Promise<unknown>>();
  private restoring = false;
  /** Every channel is subscribed on the current subscriber connection. */
  restored = false;

  constructor(
    private readonly clients: RedisClients,
    /** How long a read may wait for a subscription. */
    private readonly waitMs: number,
  ) {}

  private get sharded(): boolean {
    return this.clients.options.cluster;
  }

  /** Every message of every channel; a sharded channel's arrive as `smessage`. */
  onMessage(listener: ChannelListener): void {
    this.clients.subscriber.on(this.sharded ? 'smessage' : 'message', listener);
  }

  subscribe(channel: string): void {
    const ready = this.send([channel]);
    ready.catch(() => undefined);
    this.subscribed.set(channel, ready);
  }

  unsubscribe(channel: string): void {
    this.subscribed.delete(channel);
    const { subscriber } = this.clients;
    (this.sharded ? subscriber.sunsubscribe(channel) : subscriber.unsubscribe(channel)).catch(() => undefined);
  }

  /** Until the channel's subscription is confirmed, at most waitMs; at once for a channel not subscribed. */
  async whenSubscribed(channel: string): Promise<void> {
    const ready = this.subscribed.get(channel);
    if (ready) await waitAtMost(ready, this.waitMs);
  }

  /** Subscribes every channel again, after the subscriber connection was re-opened. */
  async restore(): Promise<boolean> {
    if (this.restoring) return false;
    this.restoring = true;
    const channels = [...this.subscribed.keys()];
    try {
      const chunks: Promise<unknown>[] = [];
      for (let i = 0; i < channels.length; i += CHANNELS_PER_COMMAND) chunks.push(this.send(channels.slice(i, i + CHANNELS_PER_COMMAND)));
      const all = Promise.all(chunks);
      for (const channel of channels) this.subscribed.set(channel, all);
      await all;
      this.restored = true;
      if (channels.length > 0) this.logger.log(`subscriptions restored: ${channels.length} channels`);
      return true;
    } catch (error) {
      this.logger.debug(`subscribing failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    } finally {
      this.restoring = false;
    }
  }

  private send(channels: string[]): Promise<unknown> {
    const { subscriber } = this.clients;
    if (!this.sharded) return subscriber.subscribe(...channels);
    // Sharded: one SSUBSCRIBE per channel, each routed to the shard that owns its slot.
    return Promise.all(channels.map((channel) => subscriber.ssubscribe(channel)));
  }
}
