import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import cluster from 'node:cluster';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Broker } from '../broker/broker.js';
import { RoomService } from '../rooms/room.service.js';
import { DeliveryTimings } from './delivery-timings.js';
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

/** How often the event loop's delay is sampled: a timer that should fire every 100 ms, and how late it fires. */
const LOOP_SAMPLE_MS = 100;
const LOOP_DELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Prometheus view of this process: the counters, read from StatsService at scrape time so
 * the hot path never calls into prom-client, the per-batch histograms of DeliveryTimings,
 * the event loop's delay and prom-client's process metrics.
 *
 * With WORKERS=N every worker's registry is merged by prom-client's AggregatorRegistry
 * (ServerTotals): the danmaku_* counters, gauges and batch histograms are summed over the
 * workers (danmaku_broker_up takes the lowest), while prom-client's process metrics and the
 * event loop's delay, which mean something per process, carry the worker's id as a
 * `worker` label and stay apart. A single process is worker "0".
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly loopSampler: NodeJS.Timeout;

  constructor(stats: StatsService, rooms: RoomService, broker: Broker, timings: DeliveryTimings) {
    const worker = String(cluster.worker?.id ?? 0);
    collectDefaultMetrics({ register: this.registry, labels: { worker } });
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
    const registers = [this.registry];
    /** A value read at scrape time; `aggregator` says how WORKERS=N merges it (summed by default). */
    const gauge = (name: string, help: string, read: () => number, aggregator: 'sum' | 'min' | 'max' = 'sum') =>
      new Gauge({
        name,
        help,
        aggregator,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge('danmaku_connections', 'Open viewer connections', () => rooms.connectionCount);
    gauge('danmaku_compressed_connections', 'Open viewer connections that negotiated permessage-deflate', () => rooms.compressedConnectionCount);
    gauge(
      'danmaku_rooms',
      'Rooms with at least one member (with WORKERS=N summed over the workers, as /stats does)',
      () => rooms.roomCount,
    );
    gauge(
      'danmaku_rooms_kept',
      'Rooms whose history this process keeps (in-memory broker; at most MAX_ROOMS_KEPT while idle rooms remain)',
      () => broker.keptRooms().kept,
    );
    new Counter({
      name: 'danmaku_rooms_evicted_total',
      help: 'Idle rooms whose history was let go to stay under MAX_ROOMS_KEPT, least recently used first',
      registers,
      collect() {
        this.reset();
        this.inc(broker.keptRooms().evicted);
      },
    });
    gauge('danmaku_broker_up', '1 while the broker is reachable (with WORKERS=N: from every worker)', () => (broker.health().ok ? 1 : 0), 'min');
    new Counter({
      name: 'danmaku_overload_refusals_total',
      help: 'Publishes refused for overload: REST requests (a batch counts once) answered 429, COMMENTs answered ERROR RATE_LIMITED',
      labelNames: ['path', 'priority'],
      registers,
      collect() {
        this.reset();
        this.labels({ path: 'rest', priority: 'false' }).inc(stats.overloadRefusedRest);
        this.labels({ path: 'rest', priority: 'true' }).inc(stats.overloadRefusedRestPriority);
        this.labels({ path: 'ws', priority: 'false' }).inc(stats.overloadRefusedWs);
      },
    });
    gauge(
      'danmaku_overload_level',
      'What overload control refuses now: 0 nothing, 1 ordinary publishes, 2 priority ones too (with WORKERS=N: the highest)',
      () => stats.overloadLevel,
      'max',
    );
    gauge(
      'danmaku_overload_delay_seconds',
      'The wait overload control last estimated for a comment accepted now, beyond its batch window (with WORKERS=N: the highest)',
      () => stats.overloadDelayMs / 1000,
      'max',
    );
    for (const histogram of timings.histograms) this.registry.registerMetric(histogram);

    const loopDelay = new Histogram({
      name: 'danmaku_event_loop_delay_seconds',
      help: `How late a timer due every ${LOOP_SAMPLE_MS} ms fires: the wait a socket or request meets`,
      labelNames: ['worker'],
      buckets: LOOP_DELAY_BUCKETS,
      registers: [this.registry],
    }).labels({ worker });
    let due = performance.now() + LOOP_SAMPLE_MS;
    this.loopSampler = setInterval(() => {
      const now = performance.now();
      loopDelay.observe(Math.max(0, now - due) / 1000);
      due = now + LOOP_SAMPLE_MS;
    }, LOOP_SAMPLE_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.loopSampler);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
