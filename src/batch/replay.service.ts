import { Injectable } from '@nestjs/common';
import { Broker, type Replay } from '../broker/broker.js';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import type { Connection } from '../connections/connection.js';
import { PendingSeqs } from './pending-seqs.js';
import { PushFrameEncoder } from './push-frame-encoder.js';

/** Sends a joining member the room's items it missed (JOIN with `since`). */
@Injectable()
export class ReplayService {
  constructor(
    private readonly pending: PendingSeqs,
    private readonly encoder: PushFrameEncoder,
    private readonly fanOut: FanOutService,
    private readonly config: DanmakuConfig,
    private readonly broker: Broker,
  ) {}

  /**
   * Taken the moment a member joins: the first seq of the room it will receive live. What
   * the pipeline still holds then is written to it with the room's next frame, and so is
   * everything the broker hands on later; only what was written before is the replay's.
   * Undefined when this process does not know (a room it just began to follow).
   */
  liveFrom(room: string): number | undefined {
    const pending = this.pending.firstPendingSeq(room);
    if (pending !== undefined) return pending;
    const delivered = this.broker.deliveredSeq(room);
    return delivered === undefined ? undefined : delivered + 1;
  }

  /**
   * Sends the replayed items in PUSH frames of at most BATCH_MAX_ITEMS; the caller answers
   * JOINED after. Items from `liveFrom` (taken at the JOIN) on are left out: the member,
   * already in the room, receives them live, even those written while the history was
   * being read, and replaying them too would deliver them twice. Without it, the items
   * still pending in the batch pipeline now are left out.
   *
   * A replay never puts the member over the slow-consumer bound: it stops (before encoding
   * the next frame) once the member's unsent bytes are over it, so what any JOIN can make
   * the server queue is bounded.
   * @returns false when it stopped early: the member has a gap to report.
   */
  sendTo(member: Connection, room: string, replay: Replay, liveFrom?: number): boolean {
    const cut = liveFrom ?? this.pending.firstPendingSeq(room);
    const count = replay.items.length;
    const end = cut === undefined ? count : Math.max(0, Math.min(count, cut - replay.firstSeq));
    const max = this.config.BATCH_MAX_ITEMS;
    const now = Date.now();
    for (let start = 0; start < end; start += max) {
      if (!this.fanOut.hasRoomFor(member)) return false;
      this.fanOut.writeTo(member, this.encoder.encode(room, replay.items.slice(start, Math.min(end, start + max))), now);
    }
    return true;
  }
}
