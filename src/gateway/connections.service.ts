import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { Connection } from '../connections/connection.js';
import { TokenBucket } from '../connections/token-bucket.js';

/** JOIN and LEAVE per second, on average; a page that reconnects joins all its rooms at once. */
const MEMBERSHIP_RATE = 5;
const MEMBERSHIP_BURST = 10;

/** Opens each socket's Connection, and finds it from the socket Nest hands to handlers and guards. */
@Injectable()
export class Connections {
  private readonly bySocket = new WeakMap<WebSocket, Connection>();
  private nextId = 0;

  constructor(private readonly config: DanmakuConfig) {}

  open(ws: WebSocket, user: string | undefined): Connection {
    const connection = new Connection(this.nextId++, ws, user, {
      comments: new TokenBucket(this.config.COMMENT_RATE, this.config.COMMENT_BURST),
      membership: new TokenBucket(MEMBERSHIP_RATE, Math.max(MEMBERSHIP_BURST, 2 * this.config.MAX_ROOMS_PER_CONN)),
    });
    this.bySocket.set(ws, connection);
    return connection;
  }

  of(ws: WebSocket): Connection {
    const connection = this.bySocket.get(ws);
    if (!connection) throw new Error('message from a socket that has no connection');
    return connection;
  }

  find(ws: WebSocket): Connection | undefined {
    return this.bySocket.get(ws);
  }
}
