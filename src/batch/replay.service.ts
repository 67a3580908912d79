import { Injectable } from '@nestjs/common';
import type { Replay } from '../broker/broker.js';
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
  ) {}

  /**
   * Sends the replayed items in PUSH frames of at most BATCH_MAX_ITEMS; the caller answers
   * JOINED after. Items still pending in the batch pipeline are left out: the member, already
   * in the room, receives them live, and replaying them too would deliver them twice.
   *
   * A replay never puts the member over the slow-consumer bound: it stops (before encoding
   * the next frame) once the member's unsent bytes are over it, so what any JOIN can make
   * the server queue is bounded.
   * @returns false when it stopped early: the member has a gap to report.
   */
  sendTo(member: Connection, room: string, replay: Replay): boolean {
    const pending = this.pending.firstPendingSeq(room);
    const count = replay.items.length;
    const end = pending === undefined ? count : Math.max(0, Math.min(count, pending - replay.firstSeq));
    const max = this.config.BATCH_MAX_ITEMS;
    const now = Date.now();
    for (let start = 0; start < end; start += max) {
      if (!this.fanOut.hasRoomFor(member)) return false;
      this.fanOut.writeTo(member, this.encoder.encode(room, replay.items.slice(start, Math.min(end, start + max))), now);
    }
    return true;
  }
}
