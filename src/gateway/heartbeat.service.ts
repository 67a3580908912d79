import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { CloseCode } from '../protocol/close-codes.js';
import { RoomService } from '../rooms/room.service.js';

/**
 * One timer for all connections: every third of HEARTBEAT_TIMEOUT_MS it pings each
 * connection (browsers answer by themselves), closes the silent ones with 1000, and
 * closes slow consumers that no batch has come by to check.
 */
@Injectable()
export class HeartbeatService implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rooms: RoomService,
    private readonly fanOut: FanOutService,
    private readonly config: DanmakuConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.sweep(), Math.floor(this.config.HEARTBEAT_TIMEOUT_MS / 3));
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  sweep(now = Date.now()): void {
    const timeout = this.config.HEARTBEAT_TIMEOUT_MS;
    for (let shard = 0; shard < this.rooms.shardCount; shard++) {
      for (const member of this.rooms.connectionsInShard(shard)) {
        if (!member.isOpen) continue;
        if (now - member.lastSeen >= timeout) {
          member.ws.close(CloseCode.NORMAL, 'heartbeat timeout');
        } else if (member.socket.writableLength > this.config.SLOW_CONSUMER_BYTES) {
          this.fanOut.checkSlow(member, now);
        } else {
          member.ws.ping();
        }
      }
    }
  }
}
