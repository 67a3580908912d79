/**
 * The last `capacity` items of one room with their seqs. It grows as items come (a room
 * with one comment costs one slot, not `capacity`), then wraps as a ring so a busy room
 * never reallocates. Seqs are consecutive, so only the items are stored and each seq is
 * derived from the newest one.
 */
export class HistoryRing {
  private readonly items: string[] = [];
  private head = 0;
  private size = 0;
  private newestSeq = 0;
  /** Date.now() of the last push (or of creation). */
  lastPushAt = Date.now();

  constructor(
    private readonly capacity: number,
    /** Names this history among the room's lives (see RoomHead.epoch). */
    readonly epoch: string,
  ) {}

  get lastSeq(): number {
    return this.newestSeq;
  }

  get oldestSeq(): number {
    return this.newestSeq - this.size + 1;
  }

  /** Appends the item numbered `seq`, which must be lastSeq + 1. */
  push(seq: number, json: string, now: number): void {
    this.newestSeq = seq;
    this.lastPushAt = now;
    if (this.capacity === 0) return;
    if (this.size < this.capacity) {
      this.items.push(json);
      this.size++;
      this.head = this.size % this.capacity;
      return;
    }
    this.items[this.head] = json;
    this.head = (this.head + 1) % this.capacity;
  }

  /**
   * Kept items with seq > since, oldest first. A `since` beyond the newest seq means the
   * client saw a previous life of this room (the server restarted): everything kept is
   * replayed and flagged as a gap.
   */
  since(since: number): { items: string[]; firstSeq: number; gap: boolean } {
    const wanted = since > this.newestSeq ? Infinity : this.newestSeq - since;
    const kept = Math.min(wanted, this.size);
    return { items: this.slice(kept), firstSeq: this.newestSeq - kept + 1, gap: kept < wanted };
  }

  private slice(count: number): string[] {
    const out = new Array<string>(count);
    const start = this.head - count + this.capacity * 2;
    for (let i = 0; i < count; i++) out[i] = this.items[(start + i) % this.capacity];
    return out;
  }
}
