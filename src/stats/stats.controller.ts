import { Controller, Get, Header, HttpCode, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { Broker } from '../broker/broker.js';
import { ServerLifecycle } from '../core/server-lifecycle.js';
import { RoomService } from '../rooms/room.service.js';
import { MetricsService } from './metrics.service.js';
import { StatsService } from './stats.service.js';

/**
 * What a soak watches for leaks: memory, and the handles and requests keeping the event
 * loop alive (sockets, timers, ...), which grow with every connection never cleaned up.
 */
function processFigures() {
  const memory = process.memoryUsage();
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    arrayBuffersBytes: memory.arrayBuffers,
    activeResources: process.getActiveResourcesInfo().length,
  };
}

@Controller()
export class StatsController {
  constructor(
    private readonly stats: StatsService,
    private readonly rooms: RoomService,
    private readonly broker: Broker,
    private readonly metrics: MetricsService,
    private readonly lifecycle: ServerLifecycle,
  ) {}

  @Get('stats')
  @Header('Cache-Control', 'no-store')
  snapshot() {
    const s = this.stats;
    const kept = this.broker.keptRooms();
    return {
      connections: this.rooms.connectionCount,
      rooms: this.rooms.roomCount,
      roomsKept: kept.kept,
      roomsEvicted: kept.evicted,
      commentsIn: s.commentsIn,
      framesOut: s.framesOut,
      bytesOut: s.bytesOut,
      plainBytesOut: s.plainBytesOut,
      deflateCalls: s.deflateCalls,
      compressedConnections: this.rooms.compressedConnectionCount,
      dropped: s.dropped,
      thinned: s.thinned,
      batches: s.batches,
      slowClosed: s.slowClosed,
      upgradesRefused: s.upgradesRefused,
      fanOutWriter: s.fanOutWriter,
      brokerUp: this.broker.health().ok,
      draining: this.lifecycle.draining,
      uptimeSeconds: Math.round(process.uptime()),
      ...processFigures(),
    };
  }

  @Get('healthz')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  health() {
    if (this.lifecycle.draining) throw new ServiceUnavailableException({ status: 'draining' });
    const broker = this.broker.health();
    if (!broker.ok) throw new ServiceUnavailableException({ status: 'broker down', reason: broker.reason });
    return { status: 'ok', connections: this.rooms.connectionCount };
  }

  @Get('metrics')
  async prometheus(@Res() response: Response): Promise<void> {
    response.type(this.metrics.contentType).send(await this.metrics.render());
  }
}
