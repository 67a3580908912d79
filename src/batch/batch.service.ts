import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { filter, map, Subject, type Subscription, tap } from 'rxjs';
import { Broker, type Delivery } from '../broker/broker.js';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { RoomService } from '../rooms/room.service.js';
import { DeliveryTimings } from '../stats/delivery-timings.js';
import { StatsService } from '../stats/stats.service.js';
import { mergeByRoomWindow } from './merge-by-room-window.js';
import type { PendingSeqs } from './pending-seqs.js';
import { PushFrameEncoder } from './push-frame-encoder.js';
import { RoomBatches } from './room-batches.js';

/**
 * Merges every room's comments per window into one PUSH frame per room: one RxJS pipeline
 * for all rooms, from the broker's deliveries to the fan-out. A quiet room's first comment
 * skips the wait (leading edge); each batch is thinned to BATCH_MAX_ITEMS, encoded and
 * framed once, and handed to the fan-out as bytes.
 *
 * One clock ticks eight times per window and every busy room keeps one phase of the window,
 * balanced by members (WindowPhases), so a hundred busy rooms spread their writes evenly
 * over the window instead of landing on a few ticks: the event loop (and every room's
 * latency) stays smooth. Windows follow the clock, not the count of ticks, so ticks that
 * fire late under load neither stretch them nor bunch rooms together. A room gets at most
 * one frame per window of its phase, never two within half a window.
 */
@Injectable()
export class BatchService implements PendingSeqs, OnModuleInit, OnApplicationShutdown {
  private readonly batches: RoomBatches;
  private readonly flushRequests = new Subject<void>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly broker: Broker,
    private readonly fanOut: FanOutService,
    private readonly encoder: PushFrameEncoder,
    private readonly rooms: RoomService,
    private readonly stats: StatsService,
    private readonly timings: DeliveryTimings,
    config: DanmakuConfig,
  ) {
    this.batches = new RoomBatches({
      windowMs: config.BATCH_WINDOW_MS,
      maxItems: config.BATCH_MAX_ITEMS,
      foldDuplicates: config.FOLD_DUPLICATES,
      weightOf: (room) => Math.max(1, room === null ? rooms.connectionCount : rooms.onlineIn(room)),
    });
  }

  onModuleInit(): void {
    this.subscription = this.broker.deliveries$
      .pipe(
        mergeByRoomWindow(this.batches, this.flushRequests),
        tap(({ thinned }) => {
          this.stats.thinned += thinned;
        }),
        filter(({ room }) => room === null || this.rooms.onlineIn(room) > 0),
        map(({ room, items, since }) => ({ room, frame: this.encoder.encode(room, jsonOf(items)), size: items.length, since })),
      )
      .subscribe(({ room, frame, size, since }) => {
        this.stats.batches++;
        this.timings.batchItems.observe(size);
        this.fanOut.deliver(room, frame, since);
      });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  firstPendingSeq(room: string): number | undefined {
    return this.batches.firstPendingSeq(room);
  }

  /** Priority items over BATCH_MAX_ITEMS waiting for their rooms' next frames (see RoomBatches). */
  get carriedItems(): number {
    return this.batches.carriedItems;
  }

  /** Sends everything still held, carried priority items included, and waits for the fan-out (shutdown). */
  async flushPending(): Promise<void> {
    this.flushRequests.next();
    await this.fanOut.whenDrained();
  }
}

function jsonOf(items: readonly Delivery[]): string[] {
  const jsons = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) jsons[i] = items[i].json;
  return jsons;
}
