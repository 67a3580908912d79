/** Callbacks by event name, each kept in the order added; a throwing one does not stop the others. */
export class Listeners<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  private readonly byName = new Map<keyof Events, Set<Events[keyof Events]>>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** Adds a listener; the function returned removes it. */
  add<K extends keyof Events>(name: K, listener: Events[K]): () => void {
    let set = this.byName.get(name);
    if (!set) this.byName.set(name, (set = new Set()));
    set.add(listener);
    return () => this.remove(name, listener);
  }

  remove<K extends keyof Events>(name: K, listener: Events[K]): void {
    this.byName.get(name)?.delete(listener);
  }

  has(name: keyof Events): boolean {
    return (this.byName.get(name)?.size ?? 0) > 0;
  }

  emit<K extends keyof Events>(name: K, ...args: Parameters<Events[K]>): void {
    const set = this.byName.get(name);
    if (!set) return;
    // A snapshot: listeners added by a listener wait for the next event.
    for (const listener of Array.from(set)) {
      try {
        (listener as (...a: Parameters<Events[K]>) => void)(...args);
      } catch (error) {
        // A bug in one application callback must not break the connection's bookkeeping.
        this.onListenerError(error);
      }
    }
  }
}
