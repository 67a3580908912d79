import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Subject, type Subscription, bufferTime } from 'rxjs';
import { Broker, type Delivery } from '../broker/broker.js';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { RoomService } from '../rooms/room.service.js';
import { StatsService } from '../stats/stats.service.js';
import { foldDuplicates } from './fold-duplicates.js';
import type { PendingSeqs } from './pending-seqs.js';
import { PushFrameEncoder } from './push-frame-encoder.js';
import { thinBatch } from './thin-batch.js';
import { type RoomWindow, WindowPhases } from './window-phases.js';

/** Bounds the one shared buffer when a flood outruns the window (memory, not pacing). */
const MAX_BUFFERED_ITEMS = 100_000;

/**
 * The one timer ticks this many times per window, and busy rooms are spread over as many
 * phases; each room flushes on the first tick after its window ends.
 */
const TICKS_PER_WINDOW = 8;

/**
 * Merges every room's comments per window into one PUSH frame per room. All comments
 * flow through ONE stream and ONE bufferTime timer, so idle rooms cost nothing; a quiet
 * room's first comment skips the wait (leading edge). Each batch is thinned to
 * BATCH_MAX_ITEMS, encoded and framed once, and handed to the fan-out as bytes.
 *
 * The timer ticks TICKS_PER_WINDOW times per window and every busy room keeps one phase
 * of the window, balanced by members (WindowPhases), so a hundred busy rooms spread their
 * writes evenly over the window instead of landing on a few ticks: the event loop (and
 * every room's latency) stays smooth. Windows follow the clock, not the count of ticks,
 * so ticks that fire late under load neither stretch them nor bunch rooms together. A
 * room gets at most one frame per window of its phase, never two within half a window.
 */
@Injectable()
export class BatchService implements PendingSeqs, OnModuleInit, OnApplicationShutdown {
  private readonly incoming = new Subject<Delivery>();
  private readonly subscriptions: Subscription[] = [];
  private readonly tickMs: number;
  private readonly phases: WindowPhases;
  /** Batched rooms, with their phase and the time their current window ends. */
  private readonly windows = new Map<string | null, RoomWindow>();
  /** Items of batched rooms waiting for their window to end, with carried priority items first. */
  private readonly waiting = new Map<string | null, Delivery[]>();
  /** Leading-edge items of quiet rooms, sent together at the end of the current tick. */
  private readonly leading = new Map<string | null, Delivery[]>();
  private leadingScheduled = false;
  /** Per room, the lowest seq still waiting in this pipeline (leading group, buffer or waiting). */
  private readonly pendingSeq = new Map<string | null, number>();
  private flushing = false;

  constructor(
    private readonly broker: Broker,
    private readonly fanOut: FanOutService,
    private readonly encoder: PushFrameEncoder,
    private readonly rooms: RoomService,
    private readonly stats: StatsService,
    private readonly config: DanmakuConfig,
  ) {
    // At least 1 ms: timers do not go finer.
    this.tickMs = Math.max(1, config.BATCH_WINDOW_MS / TICKS_PER_WINDOW);
    this.phases = new WindowPhases(config.BATCH_WINDOW_MS, TICKS_PER_WINDOW, Date.now());
  }

  onModuleInit(): void {
    this.subscriptions.push(
      this.incoming.pipe(bufferTime(this.tickMs, null, MAX_BUFFERED_ITEMS)).subscribe((buffer) => this.onTick(buffer)),
      this.broker.deliveries$.subscribe((delivery) => this.accept(delivery)),
    );
  }

  onApplicationShutdown(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

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
    const batched = this.windows.has(delivery.room);
    if (this.flushing || this.config.BATCH_WINDOW_MS === 0 || !batched) {
      // Leading edge: a quiet room's items go out at the end of this tick (so one
      // publish of many items is one frame), and the room is batched from now on.
      if (!batched && this.config.BATCH_WINDOW_MS > 0) {
        this.windows.set(delivery.room, this.phases.place(this.weightOf(delivery.room), Date.now()));
      }
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
   * what it holds, every waiting room is flushed, carried priority items follow, and the
   * fan-out drains.
   */
  async flushPending(): Promise<void> {
    this.flushing = true;
    this.sendLeading();
    this.incoming.complete();
    while (this.waiting.size > 0) this.onTick([]);
    await this.fanOut.whenDrained();
  }

  private sendLeading(): void {
    this.leadingScheduled = false;
    for (const [room, items] of this.leading) this.sendThinned(room, items);
    this.leading.clear();
  }

  private onTick(buffer: Delivery[]): void {
    const now = Date.now();
    for (const delivery of buffer) {
      const items = this.waiting.get(delivery.room);
      if (items) items.push(delivery);
      else this.waiting.set(delivery.room, [delivery]);
    }
    if (this.flushing) {
      for (const [room, items] of this.waiting) {
        this.waiting.delete(room);
        this.sendThinned(room, items);
      }
      return;
    }
    for (const [room, roomWindow] of this.windows) {
      if (roomWindow.due > now) continue;
      const items = this.waiting.get(room);
      if (!items) {
        // A full window without comments: the room's next one is a leading edge again.
        this.phases.release(roomWindow);
        this.windows.delete(room);
        continue;
      }
      this.waiting.delete(room);
      this.phases.advance(roomWindow, now);
      this.sendThinned(room, items);
    }
  }

  /** Members a room's frames go to, as the weight of its phase. */
  private weightOf(room: string | null): number {
    return Math.max(1, room === null ? this.rooms.connectionCount : this.rooms.onlineIn(room));
  }

  private sendThinned(room: string | null, items: Delivery[]): void {
    const merged = this.config.FOLD_DUPLICATES ? foldDuplicates(items) : items;
    const { send, carry, thinned } = thinBatch(merged, this.config.BATCH_MAX_ITEMS);
    this.stats.thinned += thinned;
    // Carried items go first in the room's next frame, before what arrives meanwhile.
    if (carry.length > 0) this.waiting.set(room, [...carry, ...(this.waiting.get(room) ?? [])]);
    const stillPending = this.waiting.get(room)?.find((item) => item.seq !== undefined)?.seq;
    if (stillPending === undefined) this.pendingSeq.delete(room);
    else this.pendingSeq.set(room, stillPending);
    this.send(room, send);
  }

  private send(room: string | null, items: Delivery[]): void {
    if (room !== null && this.rooms.onlineIn(room) === 0) return;
    const jsons = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) jsons[i] = items[i].json;
    this.stats.batches++;
    this.fanOut.deliver(room, this.encoder.encode(room, jsons));
  }
}
