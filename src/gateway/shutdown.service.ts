import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { BatchService } from '../batch/batch.service.js';
import { CloseCode } from '../protocol/close-codes.js';
import { RoomService } from '../rooms/room.service.js';
import { ServerLifecycle } from '../core/server-lifecycle.js';

/** How long closing connections may wait for their clients' close frames. */
const CLOSE_GRACE_MS = 3000;

/**
 * Drains before Nest's adapter terminates the sockets (which clients would see as 1006):
 * refuse new upgrades, send every pending batch, then close each connection with 1012
 * and wait for the close handshakes.
 */
@Injectable()
export class ShutdownService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  constructor(
    private readonly lifecycle: ServerLifecycle,
    private readonly batches: BatchService,
    private readonly rooms: RoomService,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.lifecycle.beginDraining();
    await this.batches.flushPending();
    const closed: Promise<void>[] = [];
    for (let shard = 0; shard < this.rooms.shardCount; shard++) {
      for (const member of this.rooms.connectionsInShard(shard)) {
        closed.push(new Promise((resolve) => member.ws.once('close', () => resolve())));
        member.ws.close(CloseCode.SERVICE_RESTART, 'server shutting down');
      }
    }
    this.logger.log(`${signal ?? 'shutdown'}: pending batches sent, closing ${closed.length} connections with 1012`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS))),
    ]);
    clearTimeout(timer);
  }
}
