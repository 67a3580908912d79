/**
 * Resolves once `promise` settles, either way, or after `ms`: for waits that make an
 * answer better (a confirmed subscription, a first count) but must not hang it on a
 * stalled Redis.
 */
export async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
