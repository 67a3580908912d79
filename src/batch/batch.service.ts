import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Subject, type Subscription, bufferTime } from 'rxjs';
import { Broker, type Delivery } from '../broker/broker.js';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { RoomService } from '../rooms/room.service.js';
import { StatsService } from '../stats/stats.service.js';
import { foldDuplicates } from './fold-duplicates.js';
import { PushFrameEncoder } from './push-frame-encoder.js';
import { thinBatch } from './thin-batch.js';

/** Bounds the one shared buffer when a flood outruns the window (memory, not pacing). */
const MAX_BUFFERED_ITEMS = 100_000;

/**
 * Merges every room's comments per window into one PUSH frame per room. All comments
 * flow through ONE stream and ONE bufferTime timer, so idle rooms cost nothing; a quiet
 * room's first comment skips the wait (leading edge). Each batch is thinned to
 * BATCH_MAX_ITEMS, encoded and framed once, and handed to the fan-out as bytes.
 */
@Injectable()
export class BatchService implements OnModuleInit, OnApplicationShutdown {
  private readonly incoming = new Subject<Delivery>();
  private readonly subscriptions: Subscription[] = [];
  /** Rooms that sent recently, with the last window period they stay batched in. */
  private readonly hot = new Map<string | null, number>();
  /** Priority items that did not fit their frame, first in the next one. */
  private readonly carry = new Map<string | null, Delivery[]>();
  /** Leading-edge items of quiet rooms, sent together at the end of the current tick. */
  private readonly leading = new Map<string | null, Delivery[]>();
  private leadingScheduled = false;
  /** Per room, the lowest seq still waiting in this pipeline (leading group, buffer or carry). */
  private readonly pendingSeq = new Map<string | null, number>();
  private period = 0;
  private flushing = false;

  constructor(
    private readonly broker: Broker,
    private readonly fanOut: FanOutService,
    private readonly encoder: PushFrameEncoder,
    private readonly rooms: RoomService,
    private readonly stats: StatsService,
    private readonly config: DanmakuConfig,
  ) {}

  onModuleInit(): void {
    this.subscriptions.push(
      this.incoming
        .pipe(bufferTime(this.config.BATCH_WINDOW_MS, null, MAX_BUFFERED_ITEMS))
        .subscribe((buffer) => this.flush(buffer)),
      this.broker.deliveries$.subscribe((delivery) => this.accept(delivery)),
    );
  }

  onApplicationShutdown(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  /**
   * The lowest seq of the room that this pipeline has not sent yet: a member joining now
   * gets those live, so a replay must stop before it.
   */
  firstPendingSeq(room: string): number | undefined {
    return this.pendingSeq.get(room);
  }

  accept(delivery: Delivery): void {
    if (delivery.seq !== undefined && !this.pendingSeq.has(delivery.room)) {
      this.pendingSeq.set(delivery.room, delivery.seq);
    }
    const group = this.leading.get(delivery.room);
    if (group) {
      group.push(delivery);
      return;
    }
    if (this.flushing || this.config.BATCH_WINDOW_MS === 0 || !this.hot.has(delivery.room)) {
      // Leading edge: a quiet room's items go out at the end of this tick (so one
      // publish of many items is one frame), and the room stays batched through the
      // next full window, so the frame after this one is at least a window away.
      this.hot.set(delivery.room, this.period + 1);
      this.leading.set(delivery.room, [delivery]);
      if (!this.leadingScheduled) {
        this.leadingScheduled = true;
        queueMicrotask(() => this.sendLeading());
      }
      return;
    }
    this.incoming.next(delivery);
  }

  /**
   * Sends everything still buffered (shutdown): the stream completes, bufferTime emits
   * what it holds, carried priority items follow, and the fan-out drains.
   */
  async flushPending(): Promise<void> {
    this.flushing = true;
    this.sendLeading();
    this.incoming.complete();
    while (this.carry.size > 0) this.flush([]);
    await this.fanOut.whenDrained();
  }

  private sendLeading(): void {
    this.leadingScheduled = false;
    for (const [room, items] of this.leading) this.sendThinned(room, items);
    this.leading.clear();
  }

  private flush(buffer: Delivery[]): void {
    const period = ++this.period;
    if (buffer.length === 0 && this.carry.size === 0) {
      this.forgetQuietRooms(period);
      return;
    }
    const byRoom = new Map<string | null, Delivery[]>(this.carry);
    this.carry.clear();
    for (const delivery of buffer) {
      const items = byRoom.get(delivery.room);
      if (items) items.push(delivery);
      else byRoom.set(delivery.room, [delivery]);
    }
    for (const [room, items] of byRoom) {
      this.hot.set(room, period);
      this.sendThinned(room, items);
    }
    this.forgetQuietRooms(period);
  }

  private sendThinned(room: string | null, items: Delivery[]): void {
    const merged = this.config.FOLD_DUPLICATES ? foldDuplicates(items) : items;
    const { send, carry, thinned } = thinBatch(merged, this.config.BATCH_MAX_ITEMS);
    this.stats.thinned += thinned;
    if (carry.length > 0) this.carry.set(room, [...(this.carry.get(room) ?? []), ...carry]);
    const stillPending = this.carry.get(room)?.find((item) => item.seq !== undefined)?.seq;
    if (stillPending === undefined) this.pendingSeq.delete(room);
    else this.pendingSeq.set(room, stillPending);
    this.send(room, send);
  }

  private forgetQuietRooms(period: number): void {
    for (const [room, lastPeriod] of this.hot) {
      if (lastPeriod < period) this.hot.delete(room);
    }
  }

  private send(room: string | null, items: Delivery[]): void {
    if (room !== null && this.rooms.onlineIn(room) === 0) return;
    const jsons = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) jsons[i] = items[i].json;
    this.stats.batches++;
    this.fanOut.deliver(room, this.encoder.encode(room, jsons));
  }
}
