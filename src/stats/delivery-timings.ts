import { Injectable } from '@nestjs/common';
import { Histogram } from 'prom-client';

/** Seconds: a quiet room's leading frame takes well under a millisecond, a thinned storm up to a window or two. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5];
/** Items per frame, up to BATCH_MAX_ITEMS' top bound. */
const SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

/**
 * What a batch took on its way out, as Prometheus histograms. Observed once per batch by
 * the batching and the fan-out, never per member: one bucket search per batch. Registered
 * into the registry /metrics renders (MetricsService).
 */
@Injectable()
export class DeliveryTimings {
  readonly batchItems = new Histogram({
    name: 'danmaku_batch_items',
    help: 'Items per PUSH frame (one frame per room per batch)',
    buckets: SIZE_BUCKETS,
    registers: [],
  });

  readonly publishToWrite = new Histogram({
    name: 'danmaku_publish_to_write_seconds',
    help: "From a batch's first item reaching this process's batching to its frame written to the last member",
    buckets: LATENCY_BUCKETS,
    registers: [],
  });

  readonly fanOut = new Histogram({
    name: 'danmaku_fan_out_seconds',
    help: "From the fan-out's first write of a batch to its last, yields to the event loop included",
    buckets: LATENCY_BUCKETS,
    registers: [],
  });

  get histograms(): Histogram[] {
    return [this.batchItems, this.publishToWrite, this.fanOut];
  }

  /** A batch is written to every member: `since` and `started` are performance.now() values. */
  written(since: number, started: number, now: number): void {
    this.publishToWrite.observe((now - since) / 1000);
    this.fanOut.observe((now - started) / 1000);
  }
}
