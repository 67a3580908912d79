import { OnceMemo } from './once-memo.js';

const receipt = (seq: number) => ({ id: `id${seq}`, seq, count: 1 });

describe('OnceMemo', () => {
  it('runs the first call of a key and answers its receipt to a repeat without running it', async () => {
    const memo = new OnceMemo(10);
    let runs = 0;
    const publish = async () => ++runs;
    const first = await memo.run('k', 1000, publish, receipt, 0);
    const repeat = await memo.run('k', 1000, publish, receipt, 500);
    expect(first).toEqual({ result: 1, receipt: receipt(1), repeat: false });
    expect(repeat).toEqual({ result: undefined, receipt: receipt(1), repeat: true });
    expect(runs).toBe(1);
  });

  it('makes a concurrent call with the same key wait for the first one', async () => {
    const memo = new OnceMemo(10);
    let release!: (value: number) => void;
    let runs = 0;
    const publish = () => (runs++, new Promise<number>((resolve) => (release = resolve)));
    const first = memo.run('k', 1000, publish, receipt);
    const second = memo.run('k', 1000, publish, receipt);
    release(7);
    expect((await first).repeat).toBe(false);
    expect(await second).toEqual({ result: undefined, receipt: receipt(7), repeat: true });
    expect(runs).toBe(1);
  });

  it('runs again once the key expired, or when the first call failed', async () => {
    const memo = new OnceMemo(10);
    let runs = 0;
    await memo.run('k', 1000, async () => ++runs, receipt, 0);
    expect((await memo.run('k', 1000, async () => ++runs, receipt, 1000)).receipt).toEqual(receipt(2));
    await expect(memo.run('f', 1000, () => Promise.reject(new Error('down')), receipt, 0)).rejects.toThrow('down');
    expect(await memo.run('f', 1000, async () => 9, receipt, 1)).toMatchObject({ receipt: receipt(9), repeat: false });
  });

  it('shows the receipt kept for a key until it expires', async () => {
    const memo = new OnceMemo(10);
    expect(await memo.kept('k', 0)).toBeUndefined();
    await memo.run('k', 1000, async () => 3, receipt, 0);
    expect(await memo.kept('k', 999)).toEqual(receipt(3));
    expect(await memo.kept('k', 1000)).toBeUndefined();
  });

  it('keeps at most maxKeys keys, forgetting the oldest first', async () => {
    const memo = new OnceMemo(3);
    for (let i = 0; i < 1000; i++) await memo.run(`k${i}`, 60_000, async () => i, receipt, 0);
    expect(memo.size).toBe(3);
    expect((await memo.run('k999', 60_000, async () => -1, receipt, 0)).repeat).toBe(true);
    expect((await memo.run('k0', 60_000, async () => -1, receipt, 0)).repeat).toBe(false);
  });
});
