import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { BatchService } from '../batch/batch.service.js';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { StatsService } from '../stats/stats.service.js';
import { AdmissionLevel, AdmissionRule } from './admission-rule.js';

/** Where a publish came in: a REST route or a viewer's COMMENT. */
export type PublishPath = 'rest' | 'ws';

/**
 * How often the load is sampled. A refusal starts within about this long (plus the turn
 * that revealed the load) of the wait passing the budget; a hundred timer callbacks a
 * second cost nothing next to the publishes they guard.
 */
const SAMPLE_MS = 10;

/**
 * How long the wait must stay under half a threshold before publishes are admitted again:
 * one default batch window, so refusals come in spells the batching can see the effect of,
 * not a flip every sample.
 */
const CALM_HOLD_MS = 200;

/** The seconds a refused publisher is told to wait (Retry-After): the least the header can say, and longer than CALM_HOLD_MS. */
export const RETRY_AFTER_SECONDS = 1;

/** The message of every overload refusal, REST and COMMENT alike. */
export const OVERLOADED_MESSAGE = `the server is overloaded; retry in ${RETRY_AFTER_SECONDS} s`;

/**
 * Overload control (PROTOCOL.md section 7): whether a publish may be accepted now. Every
 * publish path asks before it takes a comment in, so when comments come faster than the
 * process can deliver them the excess is refused at once instead of queued, and what is
 * accepted never waits seconds.
 *
 * The verdict is one comparison with a level kept by a timer: every SAMPLE_MS the load
 * is read and AdmissionRule turns it into what is refused. The load is the wait a comment
 * accepted now would meet beyond its batch window, the largest of:
 * - the event loop's delay: how late the sampling timer fires, which is about how long a
 *   request, a socket read and a batch tick now wait for their turn;
 * - the fan-out's backlog: how long the oldest frame handed to the fan-out and not yet
 *   begun has waited (a big room's writes are spread over turns, so this grows when more is
 *   accepted than can be written, even while the loop itself stays lively);
 * - priority items carried over: each BATCH_MAX_ITEMS of them is one more window before the
 *   last of them goes out (ordinary items over the cap are thinned instead and wait for
 *   nothing, so their count is no delay).
 * Bytes queued on single sockets are left to the slow-consumer rule: one slow viewer is
 * that viewer's problem, not the process's, and summing them would cost a walk over every
 * connection per sample.
 *
 * /healthz, PING and JOIN do not ask: they are cheap, and they are how operators and
 * clients see the server alive during a storm.
 */
@Injectable()
export class Admission implements OnModuleInit, OnModuleDestroy {
  private readonly rule: AdmissionRule | undefined;
  private sampler: NodeJS.Timeout | undefined;
  /** performance.now() when the sampling timer should fire next; 0 before its first sample. */
  private due = 0;
  private level: AdmissionLevel = AdmissionLevel.OPEN;

  constructor(
    private readonly config: DanmakuConfig,
    private readonly stats: StatsService,
    private readonly fanOut: FanOutService,
    private readonly batches: BatchService,
  ) {
    if (config.OVERLOAD_DELAY_MS > 0) {
      this.rule = new AdmissionRule({
        ordinaryMs: config.OVERLOAD_DELAY_MS,
        priorityMs: Math.max(config.OVERLOAD_DELAY_MS, config.OVERLOAD_PRIORITY_DELAY_MS),
        holdMs: CALM_HOLD_MS,
      });
    }
  }

  onModuleInit(): void {
    if (!this.rule) return;
    this.sampler = setInterval(() => this.sample(), SAMPLE_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sampler);
  }

  /**
   * Whether anything is refused now. A route whose priority costs something to work out (a
   * batch's items) asks this first: while nothing is refused, that is its only cost.
   */
  get refusing(): boolean {
    return this.level !== AdmissionLevel.OPEN;
  }

  /**
   * Whether a publish may be accepted now; a refusal is counted. Priority publishes (every
   * item `priority: true`, or a broadcast) are refused only past the higher threshold.
   * Costs a comparison or two: it runs before every publish, the hot direct route's included.
   */
  admits(path: PublishPath, priority: boolean): boolean {
    if (this.level < (priority ? AdmissionLevel.ALL_REFUSED : AdmissionLevel.ORDINARY_REFUSED)) return true;
    const stats = this.stats;
    if (path === 'ws') stats.overloadRefusedWs++;
    else if (priority) stats.overloadRefusedRestPriority++;
    else stats.overloadRefusedRest++;
    return false;
  }

  private sample(): void {
    const now = performance.now();
    // The first sample only starts the clock: before it the loop was busy starting the app,
    // which is no load to refuse publishes for.
    const loopDelay = this.due === 0 ? 0 : Math.max(0, now - this.due);
    this.due = now + SAMPLE_MS;
    const { BATCH_MAX_ITEMS, BATCH_WINDOW_MS } = this.config;
    const carriedWait = Math.ceil(this.batches.carriedItems / BATCH_MAX_ITEMS) * BATCH_WINDOW_MS;
    const delay = Math.max(loopDelay, this.fanOut.oldestWaitMs(now), carriedWait);
    this.level = this.rule!.update(delay, now);
    this.stats.overloadLevel = this.level;
    this.stats.overloadDelayMs = Math.round(delay);
  }
}
