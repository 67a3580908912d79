/** What admission refuses: nothing (0), ordinary publishes (1), or priority ones too (2). */
export type AdmissionLevel = 0 | 1 | 2;

export const AdmissionLevel = {
  OPEN: 0,
  ORDINARY_REFUSED: 1,
  ALL_REFUSED: 2,
} as const satisfies Record<string, AdmissionLevel>;

export interface AdmissionThresholds {
  /** Estimated wait (ms) past which ordinary publishes are refused. */
  ordinaryMs: number;
  /** The same for priority publishes; at least ordinaryMs, so they are refused last. */
  priorityMs: number;
  /** How long the wait must stay under half a threshold before that threshold's refusals stop. */
  holdMs: number;
}

/**
 * The admission rule, apart from any clock or signal: fed the estimated wait of a newly
 * accepted comment at each sample, it says what is refused. It refuses at once when the
 * wait passes a threshold, and admits again only once the wait has stayed under half that
 * threshold for `holdMs`: a storm hovering around the budget then refuses in spells of at
 * least `holdMs` instead of flipping every sample, and a process coming back to life is not
 * flooded again by the first sample that looks calm.
 */
export class AdmissionRule {
  private current: AdmissionLevel = AdmissionLevel.OPEN;
  /** When the wait last fell under half of the current level's threshold; undefined: it is not under. */
  private calmSince: number | undefined;

  constructor(private readonly thresholds: AdmissionThresholds) {}

  get level(): AdmissionLevel {
    return this.current;
  }

  /** @param now ms on any monotonic clock. */
  update(delayMs: number, now: number): AdmissionLevel {
    const rising = this.levelFor(delayMs);
    if (rising >= this.current) {
      this.current = rising;
      this.calmSince = undefined;
      return rising;
    }
    const falling = this.levelFor(delayMs * 2);
    if (falling >= this.current) {
      this.calmSince = undefined;
      return this.current;
    }
    this.calmSince ??= now;
    if (now - this.calmSince >= this.thresholds.holdMs) {
      this.current = falling;
      this.calmSince = undefined;
    }
    return this.current;
  }

  private levelFor(delayMs: number): AdmissionLevel {
    if (delayMs > this.thresholds.priorityMs) return AdmissionLevel.ALL_REFUSED;
    if (delayMs > this.thresholds.ordinaryMs) return AdmissionLevel.ORDINARY_REFUSED;
    return AdmissionLevel.OPEN;
  }
}
