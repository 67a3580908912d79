import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { PING_FRAME } from '../sockets/socket-internals.js';
import { CloseCode } from '../protocol/close-codes.js';
import { RoomService } from '../rooms/room.service.js';
import type { Connection } from '../connections/connection.js';
import { SliceClock } from '../delivery/slice-clock.js';

/** The longest one piece of a sweep runs before the loop gets a turn (as the fan-out's slices). */
const SWEEP_SLICE_MS = 4;
/** Connections handled between two looks at the clock. */
const CONNECTIONS_PER_CLOCK_CHECK = 32;

/**
 * One timer for all connections: every third of HEARTBEAT_TIMEOUT_MS each connection is
 * pinged (browsers answer by themselves), the silent ones are closed with 1000, and slow
 * consumers that no batch has come by to check are closed. The sweep walks one shard per
 * tick, so 20,000 pings are spread over the period instead of holding the loop at once,
 * and a shard whose pings take longer than a slice (a storm makes each write dearer) is
 * finished over several turns of the loop.
 */
@Injectable()
export class HeartbeatService implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private nextShard = 0;
  /** The shard being swept, from where its last slice stopped; undefined between sweeps. */
  private rest: IterableIterator<Connection> | undefined;
  private resume: NodeJS.Immediate | undefined;
  private readonly clock = new SliceClock(SWEEP_SLICE_MS, CONNECTIONS_PER_CLOCK_CHECK);

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
    clearImmediate(this.resume);
  }

  private sweepNextShard(): void {
    // The last shard is still being finished: this tick's goes with the next.
    if (this.rest !== undefined) return;
    this.rest = this.rooms.connectionsInShard(this.nextShard).values();
    this.nextShard = (this.nextShard + 1) % this.rooms.shardCount;
    this.sweepSlice();
  }

  private sweepSlice(): void {
    const now = Date.now();
    const timeout = this.config.HEARTBEAT_TIMEOUT_MS;
    this.clock.start();
    // A Set iterator has no `return`: leaving the loop keeps its place for the next slice.
    for (const member of this.rest!) {
      if (member.isOpen) {
        if (now - member.lastSeen >= timeout) {
          member.ws.close(CloseCode.NORMAL, 'heartbeat timeout');
        } else if (member.socket.writableLength > this.config.SLOW_CONSUMER_BYTES) {
          this.fanOut.checkSlow(member, now);
        } else {
          member.socket.write(PING_FRAME);
        }
      }
      if (this.clock.due() && this.clock.over) {
        this.resume = setImmediate(() => this.sweepSlice());
        return;
      }
    }
    this.rest = undefined;
    this.resume = undefined;
  }
}
