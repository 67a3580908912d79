import { AdmissionLevel, AdmissionRule } from './admission-rule.js';

const thresholds = { ordinaryMs: 100, priorityMs: 400, holdMs: 50 };

/** Feeds waits one sample every 10 ms from `start`, returning the level after each. */
function feed(rule: AdmissionRule, waits: number[], start = 0): AdmissionLevel[] {
  return waits.map((wait, i) => rule.update(wait, start + i * 10));
}

describe('AdmissionRule', () => {
  it('admits everything while the wait stays within the budget', () => {
    const rule = new AdmissionRule(thresholds);
    expect(feed(rule, [0, 5, 100, 60, 99])).toEqual([0, 0, 0, 0, 0]);
  });

  it('refuses ordinary publishes as soon as the wait passes the budget, priority ones past theirs', () => {
    const rule = new AdmissionRule(thresholds);
    expect(rule.update(101, 0)).toBe(AdmissionLevel.ORDINARY_REFUSED);
    expect(rule.update(401, 10)).toBe(AdmissionLevel.ALL_REFUSED);
  });

  it('jumps straight to refusing everything when the wait passes both thresholds at once', () => {
    const rule = new AdmissionRule(thresholds);
    expect(rule.update(5000, 0)).toBe(AdmissionLevel.ALL_REFUSED);
  });

  it('keeps refusing while the wait is above half the budget, however long', () => {
    const rule = new AdmissionRule(thresholds);
    rule.update(150, 0);
    expect(feed(rule, [51, 60, 90, 51, 70, 99, 80, 51], 10)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('admits again only after the wait has stayed under half the budget for the hold time', () => {
    const rule = new AdmissionRule(thresholds);
    rule.update(150, 0);
    // Calm from t=10; the hold of 50 ms ends at t=60.
    expect(feed(rule, [40, 40, 40, 40, 40, 40, 40], 10)).toEqual([1, 1, 1, 1, 1, 0, 0]);
  });

  it('starts the hold over when the wait comes back above half the budget', () => {
    const rule = new AdmissionRule(thresholds);
    rule.update(150, 0);
    // Calm at 10-40, a bump at 50, calm again from 60: admitted from 110.
    expect(feed(rule, [10, 10, 10, 10, 70, 10, 10, 10, 10, 10, 10], 10)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it('comes down one threshold at a time: priority admitted again before ordinary', () => {
    const rule = new AdmissionRule(thresholds);
    rule.update(1000, 0);
    // 150 is under half the priority threshold but above half the ordinary one.
    const levels = feed(rule, [150, 150, 150, 150, 150, 150, 150, 150], 10);
    expect(levels.at(0)).toBe(AdmissionLevel.ALL_REFUSED);
    expect(levels.at(-1)).toBe(AdmissionLevel.ORDINARY_REFUSED);
    expect(feed(rule, [10, 10, 10, 10, 10, 10, 10], 100).at(-1)).toBe(AdmissionLevel.OPEN);
  });
});
