/**
 * Ends a slice of work on the event loop once its time is up, reading the clock only
 * every `every` steps: a look costs more than a step of the fan-out's loop. The fan-out's
 * writes and the heartbeat's pings walk their shards under one, so PINGs, refusals and
 * /healthz get a turn during a big push.
 */
export class SliceClock {
  private deadline = 0;
  private untilLook = 0;

  constructor(
    private readonly sliceMs: number,
    private readonly every: number,
  ) {}

  /** Starts a slice: it is over sliceMs from now. */
  start(): void {
    this.deadline = performance.now() + this.sliceMs;
    this.untilLook = this.every;
  }

  /** Counts one step; true on every `every`-th, when a look at the clock is due. */
  due(): boolean {
    if (--this.untilLook !== 0) return false;
    this.untilLook = this.every;
    return true;
  }

  /** Whether the slice's time is up (reads the clock). */
  get over(): boolean {
    return performance.now() >= this.deadline;
  }
}
