import { WindowPhases } from './window-phases.js';

describe('WindowPhases', () => {
  // Window 200 ms in 8 phases of 25 ms, grid from 0.
  const phases = () => new WindowPhases(200, 8, 0);

  it('spreads rooms that turn busy at different moments over every phase', () => {
    const spread = phases();
    const placed = Array.from({ length: 16 }, (_, k) => spread.place(1, Math.floor(k / 2) * 25));
    const perPhase = new Array<number>(8).fill(0);
    for (const room of placed) perPhase[room.phase]++;
    expect(perPhase).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
  });

  it('gives rooms that turn busy together the phases of the next half window, evenly', () => {
    const spread = phases();
    const placed = Array.from({ length: 16 }, () => spread.place(1, 0));
    const perPhase = new Array<number>(8).fill(0);
    for (const room of placed) perPhase[room.phase]++;
    expect(perPhase).toEqual([4, 4, 4, 4, 0, 0, 0, 0]);
    // What follows a leading frame within a window is merged: the first window ends on the
    // room's grid a window to a window and a half after it.
    for (const room of placed) {
      expect(room.due % 200).toBe(room.phase * 25);
      expect(room.due).toBeGreaterThanOrEqual(200);
      expect(room.due).toBeLessThan(300);
    }
  });

  it('balances phases by members, not by rooms', () => {
    const spread = phases();
    const big = spread.place(7, 0);
    const small = Array.from({ length: 12 }, () => spread.place(1, 0));
    expect(small.filter((room) => room.phase === big.phase)).toEqual([]);
    const perPhase = new Map<number, number>();
    for (const room of small) perPhase.set(room.phase, (perPhase.get(room.phase) ?? 0) + 1);
    expect([...perPhase.values()]).toEqual([4, 4, 4]);
  });

  it('keeps a late room on its phase, never less than half a window after its last frame', () => {
    const spread = phases();
    const room = spread.place(1, 0);
    const phase = room.phase;
    const onTime = room.due;
    spread.advance(room, onTime);
    expect(room.due).toBe(onTime + 200);
    // 60 ms late: the next window still ends on the grid, 140 ms later.
    spread.advance(room, room.due + 60);
    expect(room.due).toBe(onTime + 400);
    // 110 ms late: the grid point 90 ms away is skipped for the next one.
    spread.advance(room, room.due + 110);
    expect(room.due).toBe(onTime + 800);
    expect(room.phase).toBe(phase);
  });

  it('places rooms on the grid whatever side of the origin the clock is on', () => {
    const spread = new WindowPhases(200, 8, 10_000);
    const before = spread.place(1, 9_700);
    expect(before).toMatchObject({ due: 9_900, phase: 4 });
    const after = spread.place(1, 10_030);
    expect(after).toMatchObject({ due: 10_250, phase: 2 });
  });

  it('gives a quiet room its weight back', () => {
    const spread = phases();
    const first = spread.place(5, 0);
    spread.release(first);
    // All phases are empty again: ties go to the phase whose grid point comes first.
    expect(spread.place(1, 0).phase).toBe(first.phase);
  });
});
