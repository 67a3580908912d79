/**
 * Per-room state a process keeps after the room's members are gone, at most `maxRooms`
 * rooms: past that, the least recently used idle room is let go. A followed room (one
 * with members here) is never let go, whatever the cap, since its members depend on its
 * state; it counts toward the cap, and idle rooms make way for it. So at most
 * max(maxRooms, followed rooms + 1) rooms are kept.
 */
export class KeptRooms<State> {
  /** Rooms without members here, least recently used first. */
  private readonly idle = new Map<string, State>();
  private readonly followed = new Map<string, State>();
  /** Rooms with members here, with state or not yet. */
  private readonly following = new Set<string>();
  /** Idle rooms let go to stay under the cap, since start. */
  evicted = 0;

  constructor(private readonly maxRooms: number) {}

  get size(): number {
    return this.idle.size + this.followed.size;
  }

  get(room: string): State | undefined {
    return this.followed.get(room) ?? this.idle.get(room);
  }

  isFollowed(room: string): boolean {
    return this.following.has(room);
  }

  /** The room's state, made by `create` when it has none; either way it is now the most recently used. */
  use(room: string, create: () => State): State {
    const followed = this.followed.get(room);
    if (followed !== undefined) return followed;
    let state = this.idle.get(room);
    if (state !== undefined) {
      this.idle.delete(room);
      this.idle.set(room, state);
      return state;
    }
    state = create();
    if (this.following.has(room)) this.followed.set(room, state);
    else this.idle.set(room, state);
    this.evictOverCap();
    return state;
  }

  follow(room: string): void {
    this.following.add(room);
    const state = this.idle.get(room);
    if (state === undefined) return;
    this.idle.delete(room);
    this.followed.set(room, state);
  }

  /** The room's last member left: it is now the most recently used idle room. */
  unfollow(room: string): void {
    this.following.delete(room);
    const state = this.followed.get(room);
    if (state === undefined) return;
    this.followed.delete(room);
    this.idle.set(room, state);
    this.evictOverCap();
  }

  /** Lets go every idle room `stale` picks (not counted as evictions: they expired). */
  forgetIdle(stale: (state: State) => boolean): void {
    for (const [room, state] of this.idle) {
      if (stale(state)) this.idle.delete(room);
    }
  }

  /** The most recently used idle room stays, even when followed rooms alone fill the cap. */
  private evictOverCap(): void {
    while (this.size > this.maxRooms && this.idle.size > 1) {
      this.idle.delete(this.idle.keys().next().value!);
      this.evicted++;
    }
  }
}
