import type { Observable } from 'rxjs';

/**
 * Who is online in a room: the counts in JOINED, ONLINE and GET /rooms/:room. Alone, a
 * room's members in this process; with processes sharing Redis, their sum.
 */
export abstract class Presence {
  /** The room's members, as this process last learnt them (no round trip). */
  abstract onlineIn(room: string): number;

  /**
   * Like onlineIn, but waits for a room's first count when it just opened here, and asks
   * the shared store for a room without members here. May fail with 503 while that store
   * is down.
   */
  abstract online(room: string): Promise<number>;

  /** Rooms whose count changed, in this process or another (for ONLINE announcements). */
  abstract readonly changed$: Observable<string>;
}
