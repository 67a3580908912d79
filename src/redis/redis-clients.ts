import { Logger } from '@nestjs/common';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../config/validate-config.js';

export type RedisClient = Redis | Cluster;

export interface RedisClientsOptions {
  url: string;
  /** Redis Cluster with sharded pub/sub (SPUBLISH/SSUBSCRIBE) instead of one Redis. */
  cluster: boolean;
  /** How long a command, the health PING included, may take. */
  timeoutMs: number;
}

class ClusterMismatch extends Error {}

/** Reconnection delay: exponential from 100 ms to 5 s with full jitter, so a fleet does not reconnect in step. */
export function backoff(attempt: number): number {
  const ceiling = Math.min(5000, 100 * 2 ** Math.min(attempt, 10));
  return Math.max(50, Math.round(Math.random() * ceiling));
}

/** The URL with its password replaced, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):([^@/]*)@/g, '//$1:***@');
}

/**
 * The two connections to Redis: one for commands (scripts, reads, PUBLISH) and one in
 * subscriber mode. On a Redis Cluster one ioredis Cluster serves both: its
 * sharded-subscriber group keeps one subscriber connection per shard.
 */
export class RedisClients {
  readonly commands: RedisClient;
  readonly subscriber: RedisClient;
  private readonly logger = new Logger('Redis');
  private lastError: string | undefined;

  constructor(readonly options: RedisClientsOptions) {
    const common: RedisOptions = {
      lazyConnect: true,
      // Fail fast while disconnected: a publish answers 503 instead of waiting in a queue.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
      retryStrategy: (attempt: number) => backoff(attempt),
      // RedisLink restores the subscriptions itself on every (re)connection, in one pass.
      autoResubscribe: false,
    };
    if (options.cluster) {
      const { nodes, username, password, tls } = clusterNodes(options.url);
      const cluster = new Cluster(nodes, {
        lazyConnect: true,
        enableOfflineQueue: false,
        enableAutoPipelining: true,
        shardedSubscribers: true,
        maxRedirections: 16,
        clusterRetryStrategy: (attempt: number) => backoff(attempt),
        redisOptions: {
          connectTimeout: options.timeoutMs,
          commandTimeout: options.timeoutMs,
          maxRetriesPerRequest: 0,
          username,
          password,
          // rediss:// seeds: every node connection is TLS, as Redis with one URL would be.
          ...(tls ? { tls: {} } : {}),
        },
      });
      this.commands = cluster;
      this.subscriber = cluster;
    } else {
      this.commands = new Redis(options.url, { ...common, enableAutoPipelining: true, connectionName: 'danmaku-cmd' });
      this.subscriber = new Redis(options.url, { ...common, connectionName: 'danmaku-sub' });
    }
    for (const client of this.all) {
      client.on('error', (error: Error) => {
        if (error.message !== this.lastError) this.logger.debug(`error: ${error.message}`);
        this.lastError = error.message;
      });
    }
  }

  get all(): RedisClient[] {
    return this.commands === this.subscriber ? [this.commands] : [this.commands, this.subscriber];
  }

  /** Every connection is ready for commands. */
  get ready(): boolean {
    return this.all.every((client) => client.status === 'ready');
  }

  /** What went wrong last, for health reports. */
  get lastErrorMessage(): string | undefined {
    return this.lastError;
  }

  /**
   * Connects both, or throws a ConfigError naming REDIS_URL: a server that cannot reach
   * its Redis at start stops rather than half-starting.
   */
  async connect(): Promise<void> {
    const deadline = Math.max(this.options.timeoutMs * 2, 3000);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all(this.all.map((client) => client.connect())),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${deadline} ms`)), deadline);
        }),
      ]);
      await Promise.all(this.all.map((client) => client.ping()));
      if (!this.options.cluster && /cluster_enabled:1/.test(await this.commands.info('cluster'))) {
        // Keys of other slots would answer MOVED: every room there would fail.
        throw new ClusterMismatch('it is a Redis Cluster node: set REDIS_CLUSTER=true');
      }
    } catch (error) {
      if (error instanceof ClusterMismatch) {
        this.close();
        throw new ConfigError(`REDIS_URL="${redactUrl(this.options.url)}": ${error.message}`);
      }
      this.close();
      const reason = this.lastError ?? (error instanceof Error ? error.message : String(error));
      throw new ConfigError(`REDIS_URL="${redactUrl(this.options.url)}": Redis is unreachable (${reason})`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Pings every connection (every master of a cluster); rejects on an error or after timeoutMs. */
  async ping(): Promise<void> {
    const silent = `Redis did not answer PING within ${this.options.timeoutMs} ms`;
    // On a cluster, every master: one stalled shard fails the cluster (full slot coverage).
    const targets: RedisClient[] = this.commands instanceof Cluster ? this.commands.nodes('master') : this.all;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all(targets.map((client) => client.ping())),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(silent)), this.options.timeoutMs);
        }),
      ]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(message === silent || /timed out/i.test(message) ? silent : `Redis PING failed: ${message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drops and re-opens the connections (a TCP connection can stall without ever closing). */
  reconnect(): void {
    for (const client of this.all) {
      if (client instanceof Redis) client.disconnect(true);
    }
  }

  async quit(): Promise<void> {
    await Promise.all(this.all.map((client) => client.quit().catch(() => client.disconnect())));
  }

  close(): void {
    for (const client of this.all) client.disconnect();
  }
}

/**
 * The cluster's seed nodes from `redis://h1:p1,h2:p2` or `redis://h1:p1,redis://h2:p2`;
 * user, password and TLS (`rediss://`), when given, are taken from the first.
 */
export function clusterNodes(url: string): {
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  tls?: true;
} {
  const entries = url.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const nodes = entries.map((entry) => {
    const parsed = new URL(/^[a-z]+:\/\//.test(entry) ? entry : `redis://${entry}`);
    return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: parsed.port === '' ? 6379 : Number(parsed.port) };
  });
  const first = new URL(/^[a-z]+:\/\//.test(entries[0] ?? '') ? entries[0] : `redis://${entries[0] ?? 'localhost'}`);
  return {
    nodes,
    ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
    ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
    ...(first.protocol === 'rediss:' ? { tls: true as const } : {}),
  };
}
