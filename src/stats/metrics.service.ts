import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { Broker } from '../broker/broker.js';
import { RoomService } from '../rooms/room.service.js';
import { StatsService } from './stats.service.js';

type CounterName =
  | 'commentsIn'
  | 'framesOut'
  | 'bytesOut'
  | 'plainBytesOut'
  | 'deflateCalls'
  | 'dropped'
  | 'thinned'
  | 'batches'
  | 'slowClosed';

const COUNTERS: [CounterName, string, string][] = [
  ['commentsIn', 'danmaku_comments_in_total', 'Comments accepted over WebSocket and REST, broadcasts included'],
  ['framesOut', 'danmaku_frames_out_total', 'PUSH frames written to viewer sockets'],
  ['bytesOut', 'danmaku_bytes_out_total', 'Bytes of PUSH frames written to viewer sockets, compressed where negotiated'],
  ['plainBytesOut', 'danmaku_plain_bytes_out_total', 'Bytes the same frames would have taken uncompressed'],
  ['deflateCalls', 'danmaku_deflate_calls_total', 'Messages deflated (once per batch per deflate window in use)'],
  ['dropped', 'danmaku_dropped_frames_total', 'Frames skipped for slow consumers'],
  ['thinned', 'danmaku_thinned_items_total', 'Items left out of frames by thinning'],
  ['batches', 'danmaku_batches_total', 'Batches encoded (once per room per window)'],
  ['slowClosed', 'danmaku_slow_consumers_closed_total', 'Connections closed with 1013'],
];

/**
 * Prometheus view of the counters. Values are read from StatsService at scrape time,
 * so the hot path never calls into prom-client.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor(stats: StatsService, rooms: RoomService, broker: Broker) {
    collectDefaultMetrics({ register: this.registry });
    for (const [key, name, help] of COUNTERS) {
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(stats[key]);
        },
      });
    }
    new Gauge({
      name: 'danmaku_connections',
      help: 'Open viewer connections',
      registers: [this.registry],
      collect() {
        this.set(rooms.connectionCount);
      },
    });
    new Gauge({
      name: 'danmaku_compressed_connections',
      help: 'Open viewer connections that negotiated permessage-deflate',
      registers: [this.registry],
      collect() {
        this.set(rooms.compressedConnectionCount);
      },
    });
    new Gauge({
      name: 'danmaku_rooms',
      help: 'Rooms with at least one member in this process',
      registers: [this.registry],
      collect() {
        this.set(rooms.roomCount);
      },
    });
    new Gauge({
      name: 'danmaku_rooms_kept',
      help: 'Rooms whose history this process keeps (in-memory broker; at most MAX_ROOMS_KEPT while idle rooms remain)',
      registers: [this.registry],
      collect() {
        this.set(broker.keptRooms().kept);
      },
    });
    new Counter({
      name: 'danmaku_rooms_evicted_total',
      help: 'Idle rooms whose history was let go to stay under MAX_ROOMS_KEPT, least recently used first',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(broker.keptRooms().evicted);
      },
    });
    new Gauge({
      name: 'danmaku_broker_up',
      help: '1 while the broker is reachable',
      registers: [this.registry],
      collect() {
        this.set(broker.health().ok ? 1 : 0);
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
