import { Logger, type OnApplicationShutdown, ServiceUnavailableException } from '@nestjs/common';
import { Subject } from 'rxjs';
import { RedisChannels } from './redis-channels.js';
import { type RedisClient, RedisClients, type RedisClientsOptions } from './redis-clients.js';

/** Health checks at most this far apart. */
const MAX_CHECK_INTERVAL_MS = 1000;

/** Failed PINGs on connections that still look open before they are dropped and re-opened. */
const PINGS_BEFORE_RECONNECT = 3;

export interface RedisHealth {
  ok: boolean;
  reason?: string;
}

/** A Lua script registered on the command connection; ioredis runs it by EVALSHA, falling back to EVAL. */
export type RedisScript<Result> = (...args: (string | number)[]) => Promise<Result>;

/**
 * This process's one link to Redis, shared by the broker and presence: the connections,
 * the channels it listens to, and whether Redis counts as up.
 *
 * A lost or stalled Redis is detected by PINGs with a timeout: health turns bad and
 * commands fail fast (503) while viewers stay connected; connections that stay silent
 * are dropped and re-opened. On return every channel is subscribed again before health
 * turns good.
 */
export class RedisLink implements OnApplicationShutdown {
  readonly clients: RedisClients;
  readonly channels: RedisChannels;
  private readonly logger = new Logger('Redis');
  private readonly back = new Subject<void>();
  /** Redis counts as up again: what it may have lost (an empty restart) is worth sending again. */
  readonly back$ = this.back.asObservable();

  /** Why Redis counts as down; undefined while it is up. */
  private down: string | undefined = 'connecting';
  private failedPings = 0;
  private checking = false;
  private closing = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly options: RedisClientsOptions) {
    this.clients = new RedisClients(options);
    this.channels = new RedisChannels(this.clients, options.timeoutMs);
  }

  get commands(): RedisClient {
    return this.clients.commands;
  }

  /** Redis Cluster, with sharded pub/sub. */
  get sharded(): boolean {
    return this.options.cluster;
  }

  /** Connects and starts the health checks, or throws a ConfigError naming REDIS_URL (nothing half-started). */
  async connect(): Promise<void> {
    await this.clients.connect();
    for (const client of this.clients.all) {
      client.on('close', () => this.markDown(`connection to Redis lost${this.errorSuffix()}`));
      client.on('ready', () => void this.check());
    }
    const { subscriber } = this.clients;
    if (!this.sharded) {
      subscriber.on('close', () => (this.channels.restored = false));
      subscriber.on('ready', () => void this.restoreChannels());
    } else {
      // A shard's subscriber connection is dropped when its master dies or hands its slots
      // to a replica; ioredis opens one to the new owner and subscribes there again. Until
      // then this process misses that shard's messages, and says so.
      subscriber.on('-subscriber', () => {
        this.channels.restored = false;
        this.markDown('restoring subscriptions on a new shard owner');
      });
      subscriber.on('subscribersReady', () => {
        this.channels.restored = true;
        void this.check();
      });
    }
    await this.channels.restore();
    const checkEvery = Math.min(MAX_CHECK_INTERVAL_MS, Math.max(100, Math.floor(this.options.timeoutMs / 2)));
    this.timer = setInterval(() => void this.check(), checkEvery);
    await this.check();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    await this.clients.quit();
  }

  health(): RedisHealth {
    return this.down === undefined ? { ok: true } : { ok: false, reason: this.down };
  }

  /**
   * Runs a Redis command; while Redis is down, when it fails, or when it takes longer than
   * the timeout, answers 503 (to clients, Redis is the broker). The bound matters on a
   * cluster: ioredis retries a command whose master died until a replica takes over,
   * several seconds later, which would hold the request that long.
   */
  async run<T>(command: () => Promise<T>): Promise<T> {
    if (this.down !== undefined) throw new ServiceUnavailableException(`broker unavailable: ${this.down}`);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        command(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
        }),
      ]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ServiceUnavailableException(`broker unavailable: ${reason}`);
    } finally {
      clearTimeout(timer);
    }
  }

  script<Result>(name: string, numberOfKeys: number, lua: string): RedisScript<Result> {
    const { commands } = this.clients;
    commands.defineCommand(name, { numberOfKeys, lua });
    const defined = commands as unknown as Record<string, RedisScript<Result>>;
    return (...args) => defined[name](...args);
  }

  private async restoreChannels(): Promise<void> {
    if (this.closing) return;
    if (await this.channels.restore()) void this.check();
  }

  private async check(): Promise<void> {
    if (this.checking || this.closing) return;
    this.checking = true;
    try {
      if (!this.clients.ready) {
        this.markDown(`not connected to Redis${this.errorSuffix()}`);
        return;
      }
      await this.clients.ping();
      this.failedPings = 0;
      if (!this.channels.restored) {
        this.markDown('restoring subscriptions');
        // A restore that failed (Redis went away again meanwhile) is tried again; on a
        // cluster, ioredis's sharded subscribers restore their own.
        if (!this.sharded) void this.restoreChannels();
        return;
      }
      this.markUp();
    } catch (error) {
      this.markDown(error instanceof Error ? error.message : String(error));
      // Open connections that stopped answering (a stalled host, a silent network) are
      // dropped and re-opened rather than waited on for minutes of TCP timeouts.
      if (++this.failedPings >= PINGS_BEFORE_RECONNECT && this.clients.ready) {
        this.failedPings = 0;
        this.logger.warn('Redis stopped answering: reconnecting');
        this.clients.reconnect();
      }
    } finally {
      this.checking = false;
    }
  }

  private markDown(reason: string): void {
    if (this.closing) return;
    if (this.down === undefined) this.logger.warn(`Redis is down: ${reason}`);
    this.down = reason;
  }

  private markUp(): void {
    if (this.down === undefined) return;
    if (this.down !== 'connecting') this.logger.log('Redis is back');
    this.down = undefined;
    this.back.next();
  }

  private errorSuffix(): string {
    const error = this.clients.lastErrorMessage;
    return error ? ` (${error})` : '';
  }
}
