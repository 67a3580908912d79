import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { OutboundFrames } from '../delivery/outbound-frames.js';
import { Presence } from '../presence/presence.js';
import { RoomService } from '../rooms/room.service.js';

/**
 * Sends ONLINE to a room at most once per ONLINE_INTERVAL_MS, and only when its count
 * changed since the last announcement. Rooms that did not change cost nothing.
 */
@Injectable()
export class OnlineAnnouncer implements OnModuleInit, OnApplicationShutdown {
  private readonly changed = new Set<string>();
  private readonly announced = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private subscriptions: Subscription[] = [];

  constructor(
    private readonly rooms: RoomService,
    private readonly fanOut: FanOutService,
    private readonly config: DanmakuConfig,
    private readonly presence: Presence,
  ) {}

  onModuleInit(): void {
    this.subscriptions = [
      this.presence.changed$.subscribe((room) => this.changed.add(room)),
      this.rooms.closed$.subscribe((room) => this.announced.delete(room)),
    ];
    this.timer = setInterval(() => this.announce(), this.config.ONLINE_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  announce(): void {
    for (const room of this.changed) {
      // No member here to tell.
      if (this.rooms.onlineIn(room) === 0) continue;
      const online = this.presence.onlineIn(room);
      if (this.announced.get(room) === online) continue;
      this.announced.set(room, online);
      this.fanOut.deliver(room, OutboundFrames.uncompressed(JSON.stringify({ type: 'ONLINE', data: { room, online } })));
    }
    this.changed.clear();
  }
}
