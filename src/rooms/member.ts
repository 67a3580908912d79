import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { deflateWindowFor, isOpen, rawSocketOf, serverWindowBitsOf } from '../sockets/socket-internals.js';

/**
 * One viewer connection as the fan-out sees it: the raw socket the pre-framed batches
 * are written to, and the few numbers delivery and the gateway keep per connection.
 */
export class Member {
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
   * The deflate window of the compressed frames this connection gets (9 to 15), from what
   * it negotiated at the upgrade; 0: it gets plain frames. Read once per member per batch.
   */
  readonly deflateWindow: number;

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    /** The JWT `sub`, when viewers authenticate. */
    readonly user: string | undefined,
  ) {
    this.socket = rawSocketOf(ws);
    this.deflateWindow = deflateWindowFor(serverWindowBitsOf(ws));
  }

  get isOpen(): boolean {
    return isOpen(this.ws);
  }
}
