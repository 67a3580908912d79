import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { deflateWindowFor, isOpen, plainFdOf, rawSocketOf, serverWindowBitsOf } from '../sockets/socket-internals.js';
import type { TokenBucket } from './token-bucket.js';

/** How many RATE_LIMITED refusals within REFUSAL_WINDOW_MS get a connection closed. */
export const MAX_REFUSALS = 20;
export const REFUSAL_WINDOW_MS = 10_000;

/** A connection's rate limits: COMMENT, and JOIN with LEAVE. */
export interface ConnectionLimits {
  comments: TokenBucket;
  membership: TokenBucket;
}

/**
 * One viewer's WebSocket connection, the one object every part of the server keeps per
 * connection: the raw socket the pre-framed batches are written to (delivery), the rooms
 * it joined (rooms), and its limits and comments in flight (gateway). A viewer (who,
 * from the authenticator) may have several.
 */
export class Connection {
  /** Rooms this connection has joined. */
  readonly rooms = new Set<string>();
  /** When unsent bytes first went over SLOW_CONSUMER_BYTES; 0 while under. */
  slowSince = 0;
  /** Last time any frame or pong arrived from the client. */
  lastSeen = Date.now();
  /**
   * The TCP socket under ws, so a frame built once is written as-is (see delivery/).
   * A field, not a getter: the fan-out reads it once per member per batch.
   */
  readonly socket: Socket;
  /**
   * The socket's fd for the native batch writer (-1: TLS, or none), read once at the
   * upgrade because reading it costs a call into C++; valid only while the socket keeps
   * its handle, which the writer checks per write.
   */
  readonly fd: number;
  /**
   * The deflate window of the compressed frames this connection gets (9 to 15), from what
   * it negotiated at the upgrade; 0: it gets plain frames. Read once per member per batch.
   */
  readonly deflateWindow: number;
  /** Set by the refusal that closes the connection: nothing more is taken or answered. */
  closing = false;

  /** Times of the latest refusals, at most MAX_REFUSALS of them. */
  private readonly refusals: number[] = [];
  /** Comments of this connection still being published (their ACK not yet sent). */
  private inFlight = 0;
  private whenSettled: (() => void) | undefined;

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    /** The viewer's user id (the JWT `sub`), when viewers authenticate. */
    readonly user: string | undefined,
    readonly limits: ConnectionLimits,
  ) {
    this.socket = rawSocketOf(ws);
    this.fd = plainFdOf(this.socket);
    this.deflateWindow = deflateWindowFor(serverWindowBitsOf(ws));
  }

  get isOpen(): boolean {
    return isOpen(this.ws);
  }

  /** Runs the publishing of one comment, so that a close can wait for its ACK. */
  async publishing<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await work();
    } finally {
      if (--this.inFlight === 0 && this.whenSettled) {
        const action = this.whenSettled;
        this.whenSettled = undefined;
        // After the handler's result (the ACK) has been sent, which happens in a microtask.
        setImmediate(action);
      }
    }
  }

  /** Runs `action` once every comment in flight has been answered: at once if none is. */
  afterPublishing(action: () => void): void {
    if (this.inFlight === 0) action();
    else this.whenSettled = action;
  }

  /** Records a refusal; true when it is the MAX_REFUSALS-th within the window. */
  refuse(now: number): boolean {
    this.refusals.push(now);
    if (this.refusals.length > MAX_REFUSALS) this.refusals.shift();
    return this.refusals.length === MAX_REFUSALS && now - this.refusals[0] <= REFUSAL_WINDOW_MS;
  }
}
