import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { PING_FRAME } from '../sockets/socket-internals.js';
import { CloseCode } from '../protocol/close-codes.js';
import { RoomService } from '../rooms/room.service.js';

/**
 * One timer for all connections: every third of HEARTBEAT_TIMEOUT_MS each connection is
 * pinged (browsers answer by themselves), the silent ones are closed with 1000, and slow
 * consumers that no batch has come by to check are closed. The sweep walks one shard per
 * tick, so 20,000 pings are spread over the period instead of holding the loop at once.
 */
@Injectable()
export class HeartbeatService implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private nextShard = 0;

  constructor(
    private readonly rooms: RoomService,
    private readonly fanOut: FanOutService,
    private readonly config: DanmakuConfig,
  ) {}

  onModuleInit(): void {
    const period = Math.floor(this.config.HEARTBEAT_TIMEOUT_MS / 3);
    this.timer = setInterval(() => this.sweepNextShard(), Math.max(1, Math.floor(period / this.rooms.shardCount)));
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private sweepNextShard(now = Date.now()): void {
    const timeout = this.config.HEARTBEAT_TIMEOUT_MS;
    for (const member of this.rooms.connectionsInShard(this.nextShard)) {
      if (!member.isOpen) continue;
      if (now - member.lastSeen >= timeout) {
        member.ws.close(CloseCode.NORMAL, 'heartbeat timeout');
      } else if (member.socket.writableLength > this.config.SLOW_CONSUMER_BYTES) {
        this.fanOut.checkSlow(member, now);
      } else {
        member.socket.write(PING_FRAME);
      }
    }
    this.nextShard = (this.nextShard + 1) % this.rooms.shardCount;
  }
}
