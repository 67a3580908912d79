import type { ClientFrame } from './protocol.js';
import { OPEN, type SocketLike } from './socket.js';

export interface HeartbeatOptions {
  pingIntervalMs: number;
  pongTimeoutMs: number;
}

/** One socket's life: its timers, its heartbeat, and the JOINs still to send on it. */
export class Session {
  opened = false;
  /** Rooms still to JOIN on this socket, in order. */
  queue: string[] = [];
  /** The room whose JOIN is in flight. */
  joining: string | null = null;
  private lastHeard = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private ended = false;

  constructor(
    readonly socket: SocketLike,
    private readonly heartbeat: HeartbeatOptions,
  ) {}

  send(frame: ClientFrame): void {
    if (this.socket.readyState === OPEN) this.socket.send(JSON.stringify(frame));
  }

  /** Anything received proves the link alive. */
  heard(): void {
    this.lastHeard = Date.now();
  }

  /** Runs fn after ms unless the session has ended by then. */
  after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.ended) fn();
    }, ms);
    this.timers.add(timer);
  }

  /**
   * PINGs now and then; one followed by silence for pongTimeoutMs means a dead link. Late
   * timers (a background tab's) do not count as silence: only what was heard since the PING does.
   */
  startPinging(onDead: () => void): void {
    const { pingIntervalMs, pongTimeoutMs } = this.heartbeat;
    const tick = () => {
      const sentAt = Date.now();
      this.send({ type: 'PING', data: {} });
      this.after(pongTimeoutMs, () => {
        if (this.lastHeard < sentAt) onDead();
      });
      this.after(pingIntervalMs * (0.8 + Math.random() * 0.4), tick);
    };
    this.after(pingIntervalMs * (0.8 + Math.random() * 0.4), tick);
  }

  end(): void {
    this.ended = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
