/**
 * Key and channel names in Redis, of the broker and of presence. Every key of one room carries the same hash tag
 * (`{room}`), so the room's seq, history, presence and pub/sub channel live in one
 * Redis Cluster slot: the publish script may touch them all, and a sharded channel
 * lives on the same shard as the keys its script writes.
 *
 * Room ids may hold any character but control characters, including `{`, `}` and `%`,
 * which would bend the hash tag; they are percent-escaped, which keeps names unique.
 */
export class RedisKeys {
  /** The broadcast counter and channel share their own tag. */
  readonly broadcastSeq: string;
  /** Never written (broadcasts keep no history); the publish script takes it as its second key. */
  readonly broadcastHistory: string;
  readonly broadcastChannel: string;
  /** The publish script takes it as its fourth key; nothing reads it (broadcasts keep no history). */
  readonly broadcastEpoch: string;

  constructor(readonly prefix: string) {
    this.broadcastSeq = `${prefix}{*all}:seq`;
    this.broadcastHistory = `${prefix}{*all}:hist`;
    this.broadcastChannel = `${prefix}{*all}:ch`;
    this.broadcastEpoch = `${prefix}{*all}:epoch`;
  }

  private tag(room: string): string {
    return `${this.prefix}{${escapeRoom(room)}}`;
  }

  seq(room: string): string {
    return `${this.tag(room)}:seq`;
  }

  history(room: string): string {
    return `${this.tag(room)}:hist`;
  }

  /** Names the room's current history (see RoomHead.epoch); it lives and dies with the seq. */
  epoch(room: string): string {
    return `${this.tag(room)}:epoch`;
  }

  channel(room: string): string {
    return `${this.tag(room)}:ch`;
  }

  /**
   * The channel of one user's items. A tag of its own (`*` cannot start an escaped room's
   * tag, and `*all` is the broadcasts'), so on a Redis Cluster each user's channel lives
   * on the shard of its own slot.
   */
  userChannel(user: string): string {
    return `${this.prefix}{*user:${escapeRoom(user)}}:ch`;
  }

  /**
   * A once-keyed publish's receipt (see OnceKey), under the room's tag so the publish
   * script stores it with the publish; `kind` keeps comments and go-push items apart.
   */
  once(room: string | null, kind: 'comments' | 'verbatim', key: string): string {
    return `${room === null ? `${this.prefix}{*all}` : this.tag(room)}:once:${kind}:${key}`;
  }

  /** A once-keyed push to one user's receipt, under the user channel's tag (see once). */
  userOnce(user: string, key: string): string {
    return `${this.prefix}{*user:${escapeRoom(user)}}:once:user:${key}`;
  }

  /** Per-process counts of the room's members, and their running total in field `#`. */
  presence(room: string): string {
    return `${this.tag(room)}:on`;
  }

  /** When each process's count expires unless it reports again. */
  presenceDeadlines(room: string): string {
    return `${this.tag(room)}:ond`;
  }
}

/** `%`, `{`, `}` and `*` as %XX, so no room's tag can be `*all` or `*user:…`, and a user id can sit in a tag too. */
export function escapeRoom(room: string): string {
  return room.replace(/[%{}*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
