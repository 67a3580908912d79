import type { Receipt } from './broker.js';

interface Entry {
  expiresAt: number;
  receipt: Promise<Receipt>;
}

/**
 * Receipts of once-keyed publishes in this process, each for its time to live, at most
 * `maxKeys` of them (the oldest go first). An entry is made before its publish runs, so a
 * second call with the same key, even one arriving while the first is in flight, waits
 * for the first one's receipt instead of publishing; a publish that fails leaves no entry,
 * so it may be retried.
 */
export class OnceMemo {
  /** In the order they were made: with one ttl, also the order they expire in. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxKeys: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The receipt kept for `key` (once its publish is done), if any. */
  async kept(key: string, now = Date.now()): Promise<Receipt | undefined> {
    this.forgetExpired(now);
    return this.entries.get(key)?.receipt;
  }

  /**
   * The receipt of the first call with `key` within `ttlMs`, or runs `publish` and keeps
   * its receipt.
   */
  async run<T>(
    key: string,
    ttlMs: number,
    publish: () => Promise<T>,
    receiptOf: (result: T) => Receipt,
    now = Date.now(),
  ): Promise<{ result: T | undefined; receipt: Receipt; repeat: boolean }> {
    this.forgetExpired(now);
    const kept = this.entries.get(key);
    if (kept) return { result: undefined, receipt: await kept.receipt, repeat: true };
    const result = publish();
    const entry: Entry = { expiresAt: now + ttlMs, receipt: result.then(receiptOf) };
    // A waiter learns of a failure from its own await; nobody else may be listening.
    entry.receipt.catch(() => undefined);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
    try {
      return { result: await result, receipt: await entry.receipt, repeat: false };
    } catch (error) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw error;
    }
  }

  private forgetExpired(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.entries.delete(key);
    }
  }
}
