import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
  Validate,
  type ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';

@ValidatorConstraint({ name: 'powerOfTwo' })
class PowerOfTwo implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return Number.isInteger(value) && (value as number) > 0 && ((value as number) & ((value as number) - 1)) === 0;
  }
  defaultMessage(): string {
    return '$property must be a power of two';
  }
}

// Environment values arrive as strings; a non-numeric one stays a string so IsInt names it.
const toInt = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const trimmed = value.trim();
    return /^-?\d+$/.test(trimmed) ? Number(trimmed) : value;
  });

const emptyAsUnset = () => Transform(({ value }) => (value === '' ? undefined : value));

@ValidatorConstraint({ name: 'priorityDelay' })
class AtLeastOrdinaryDelay implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const ordinary = (args.object as DanmakuConfig).OVERLOAD_DELAY_MS;
    return typeof value === 'number' && (ordinary === 0 || typeof ordinary !== 'number' || value >= ordinary);
  }
  defaultMessage(): string {
    return '$property must be at least OVERLOAD_DELAY_MS: priority comments are refused last';
  }
}

@ValidatorConstraint({ name: 'workers' })
class WorkerCount implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return value === 'auto' || (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 256);
  }
  defaultMessage(): string {
    return '$property must be "auto" or an integer from 1 to 256';
  }
}

@ValidatorConstraint({ name: 'redisPrefix' })
class RedisPrefix implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && value.length <= 64 && !/[{}\s]/.test(value);
  }
  defaultMessage(): string {
    return '$property must be at most 64 characters without braces or spaces';
  }
}

@ValidatorConstraint({ name: 'origins' })
class OriginList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return value === undefined || (Array.isArray(value) && value.length > 0 && value.every(isOrigin));
  }
  defaultMessage(): string {
    return '$property must be a comma-separated list of origins such as https://example.com or http://localhost:3000 (scheme, host and port only)';
  }
}

function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

// A comma list from the environment; an array from module options passes through.
const toList = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
    return items.length === 0 ? undefined : items;
  });

// 'true'/'1' and 'false'/'0' from the environment; booleans from module options pass through.
const toBoolean = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const lower = value.trim().toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0' || lower === '') return false;
    return value;
  });

/**
 * Every setting of the server (PROTOCOL.md section 3), with its default and its bounds.
 * The same class validates the environment at start-up and is the typed object that
 * services inject.
 */
export class DanmakuConfig {
  @toInt() @IsInt() @Min(0) @Max(65535)
  PORT = 7777;

  @IsString() @IsNotEmpty()
  HOST = '0.0.0.0';

  @toInt() @IsInt() @Min(0) @Max(10_000)
  BATCH_WINDOW_MS = 200;

  @toInt() @IsInt() @Min(1) @Max(10_000)
  BATCH_MAX_ITEMS = 100;

  @toInt() @IsInt() @Min(1) @Max(1024) @Validate(PowerOfTwo)
  SHARDS = 16;

  /**
   * Connections the kernel holds for the server before it accepts them (listen(2)'s
   * backlog; the kernel caps it at net.core.somaxconn). Node's 511 overflows when thousands
   * of viewers connect at once (a stream starts, a restart): each overflow costs that viewer
   * a one-second SYN retransmit. Measured with 19,500 viewers connecting at once: join p99
   * 1.4 s at 511, 0.55 s at 4096 (the capacity scenario in BENCHMARKS.md).
   */
  @toInt() @IsInt() @Min(1) @Max(65_535)
  LISTEN_BACKLOG = 4096;

  @toInt() @IsInt() @Min(1) @Max(1000)
  MAX_ROOMS_PER_CONN = 5;

  @toInt() @IsInt() @Min(256) @Max(16 * 1024 * 1024)
  MAX_PAYLOAD = 4096;

  @toInt() @IsInt() @Min(1000) @Max(3_600_000)
  HEARTBEAT_TIMEOUT_MS = 60_000;

  @toInt() @IsInt() @Min(1) @Max(10_000)
  COMMENT_RATE = 2;

  @toInt() @IsInt() @Min(1) @Max(10_000)
  COMMENT_BURST = 5;

  @toInt() @IsInt() @Min(1024)
  SLOW_CONSUMER_BYTES = 1_048_576;

  @toInt() @IsInt() @Min(0) @Max(600_000)
  SLOW_CONSUMER_MS = 5000;

  @toInt() @IsInt() @Min(100) @Max(600_000)
  ONLINE_INTERVAL_MS = 5000;

  @toInt() @IsInt() @Min(0) @Max(1_000_000)
  HISTORY_SIZE = 1000;

  /**
   * Rooms whose history the in-memory broker keeps; past it the least recently used room
   * without members here is let go. Rooms with members are always kept.
   */
  @toInt() @IsInt() @Min(1) @Max(10_000_000)
  MAX_ROOMS_KEPT = 10_000;

  /**
   * Overload control (admission/): a publish is refused (REST 429, COMMENT ERROR
   * RATE_LIMITED) while the wait a newly accepted comment would meet, on top of the batch
   * window, is over this many ms; 0 turns admission control off. 100: above a healthy
   * process's event-loop jitter, GC pauses and fan-out slices (a few ms to tens of ms), so a
   * server that keeps up never refuses; low enough that in a storm /healthz, PING and the
   * refusals themselves are still answered within about 100 ms (with 250, the storm
   * scenario measured seconds with PING and /healthz p99 over 200 ms; BENCHMARKS.md).
   */
  @toInt() @IsInt() @Min(0) @Max(60_000)
  OVERLOAD_DELAY_MS = 100;

  /**
   * The same for priority comments (priority: true, broadcasts): refused only past this wait,
   * so they are the last to go. At least OVERLOAD_DELAY_MS; 1000 still keeps them under seconds.
   */
  @toInt() @IsInt() @Min(1) @Max(60_000) @Validate(AtLeastOrdinaryDelay)
  OVERLOAD_PRIORITY_DELAY_MS = 1000;

  /** How long a POST's Idempotency-Key is remembered: a repeat within it publishes nothing. */
  @toInt() @IsInt() @Min(1) @Max(86_400)
  IDEMPOTENCY_TTL_S = 300;

  @emptyAsUnset() @IsOptional() @IsString() @IsNotEmpty()
  ADMIN_TOKEN?: string = undefined;

  @emptyAsUnset() @IsOptional() @IsString() @IsNotEmpty()
  VIEWER_TOKEN_SECRET?: string = undefined;

  /**
   * Browser origins allowed to open the socket; unset: any. An app that authenticates
   * viewers by cookie must set it, or any site could open a socket with the viewer's cookies.
   */
  @toList() @Validate(OriginList)
  ALLOWED_ORIGINS?: string[] = undefined;

  @emptyAsUnset() @IsOptional() @IsString() @IsNotEmpty()
  REDIS_URL?: string = undefined;

  /** REDIS_URL names Redis Cluster seed nodes; rooms use sharded pub/sub (SPUBLISH/SSUBSCRIBE). */
  @toBoolean() @IsBoolean()
  REDIS_CLUSTER = false;

  /** Prefix of every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  @Validate(RedisPrefix)
  REDIS_PREFIX = 'danmaku:';

  /** How long a Redis command or health PING may take before Redis counts as down. */
  @toInt() @IsInt() @Min(100) @Max(60_000)
  REDIS_TIMEOUT_MS = 2000;

  /** Worker processes sharing the port (node:cluster); "auto": one per core. Above 1 needs REDIS_URL. */
  @Transform(({ value }) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : typeof value === 'string' ? value.trim() : value))
  @Validate(WorkerCount)
  WORKERS: number | 'auto' = 1;

  /** Fold identical texts of a room within one batch into one item with a count. */
  @toBoolean() @IsBoolean()
  FOLD_DUPLICATES = false;

  /**
   * Answer POST /rooms/:room/comments(/batch) on the HTTP server itself, without express
   * and the Nest router (see publish/direct-publish.route.ts), and PING, JOIN, LEAVE and
   * COMMENT frames without Nest's per-message guard and pipe (gateway/direct-messages.ts);
   * false: through Nest only.
   */
  @toBoolean() @IsBoolean()
  DIRECT_PUBLISH = true;

  /**
   * true: a batch goes to a shard's sockets in one native call (native/batch-writer, see
   * delivery/native-batch.ts) when that addon is built, else socket.write with a warning;
   * false: socket.write per member.
   */
  @toBoolean() @IsBoolean()
  NATIVE_WRITES = true;

  /**
   * deflate: accept permessage-deflate offers and send each batch deflated once for every
   * member that negotiated it (PROTOCOL.md section 5); off: decline the extension.
   */
  @IsIn(['deflate', 'off'])
  COMPRESSION: 'deflate' | 'off' = 'deflate';

  /** zlib level of that one deflate per batch: 1 fastest, 9 smallest. */
  @toInt() @IsInt() @Min(1) @Max(9)
  COMPRESSION_LEVEL = 6;

  /** Serve the OpenAPI description at /openapi.json and its page at /docs (under routePrefix when mounted). */
  @toBoolean() @IsBoolean()
  OPENAPI = true;

  /** A word list, one per line, watched and reloaded when it changes. */
  @emptyAsUnset() @IsOptional() @IsString() @IsNotEmpty()
  SENSITIVE_WORDS_FILE?: string = undefined;

  @IsIn(['mask', 'reject'])
  SENSITIVE_WORDS_MODE: 'mask' | 'reject' = 'mask';

  @emptyAsUnset() @IsOptional() @IsIn(['debug', 'log', 'warn', 'error'])
  LOG_LEVEL?: 'debug' | 'log' | 'warn' | 'error' = undefined;
}

export const CONFIG_KEYS = Object.keys(new DanmakuConfig()) as (keyof DanmakuConfig)[];
