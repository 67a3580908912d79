/** A busy room's place on the clock: the phase it flushes on and the weight it was given. */
export interface RoomWindow {
  /** Date.now() at which the room's current window ends. */
  due: number;
  phase: number;
  weight: number;
}

/**
 * Spreads busy rooms over the phases of the batch window. Every window is cut into
 * `phases` equal steps; a room that turns busy takes a light phase (by weight: members)
 * and keeps it until it goes quiet, and its windows end on that phase's grid, whatever the
 * timer's delays. Windows timed from each room's own first comment would bunch: rooms that
 * turn busy together (a show starts), or that one late tick flushes together, would keep
 * flushing together, piling a window's writes on a few ticks that hold the event loop for
 * tens of milliseconds at a time.
 */
export class WindowPhases {
  private readonly load: number[];
  private readonly step: number;

  /** @param origin the clock time phase 0's grid starts from */
  constructor(
    private readonly window: number,
    phases: number,
    private readonly origin: number,
  ) {
    this.load = new Array<number>(phases).fill(0);
    this.step = window / phases;
  }

  /**
   * Places a room whose leading frame went out at `now`. What follows within a window is
   * merged (the protocol), so its first window ends on the grid at least a window from now:
   * on the lightest of the phases whose grid comes within the next half window after that
   * (ties to the soonest), so that first wait stays under a window and a half.
   */
  place(weight: number, now: number): RoomWindow {
    const notBefore = now + this.window;
    const phases = this.load.length;
    // Phases in the order their next grid point comes.
    const offset = (((notBefore - this.origin) % this.window) + this.window) % this.window;
    const first = Math.ceil(offset / this.step) % phases;
    let phase = first;
    for (let k = 1; k < Math.max(1, phases / 2); k++) {
      const candidate = (first + k) % phases;
      if (this.load[candidate] < this.load[phase]) phase = candidate;
    }
    this.load[phase] += weight;
    return { due: this.gridPoint(phase, notBefore), phase, weight };
  }

  /**
   * Moves a room that has just sent a frame at `now` to its next window: the first grid
   * point of its phase at least half a window from now, so a frame delayed by a busy loop
   * keeps the room's phase (the rooms stay spread) and is never followed within half a
   * window.
   */
  advance(room: RoomWindow, now: number): void {
    room.due = this.gridPoint(room.phase, now + this.window / 2);
  }

  /** A room that went quiet gives its weight back. */
  release(room: RoomWindow): void {
    this.load[room.phase] -= room.weight;
  }

  private gridPoint(phase: number, notBefore: number): number {
    const start = this.origin + phase * this.step;
    return start + Math.ceil((notBefore - start) / this.window) * this.window;
  }
}
