import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { Member } from '../rooms/member.js';
import { TokenBucket } from './token-bucket.js';
import { ViewerSession } from './viewer-session.js';

/** JOIN and LEAVE per second, on average; a page that reconnects joins all its rooms at once. */
const MEMBERSHIP_RATE = 5;
const MEMBERSHIP_BURST = 10;

/** Finds a connection's session from the socket Nest hands to handlers and guards. */
@Injectable()
export class ViewerSessions {
  private readonly sessions = new WeakMap<WebSocket, ViewerSession>();
  private nextId = 0;

  constructor(private readonly config: DanmakuConfig) {}

  open(ws: WebSocket, user: string | undefined): ViewerSession {
    const member = new Member(this.nextId++, ws, user);
    const session = new ViewerSession(
      member,
      new TokenBucket(this.config.COMMENT_RATE, this.config.COMMENT_BURST),
      new TokenBucket(MEMBERSHIP_RATE, Math.max(MEMBERSHIP_BURST, 2 * this.config.MAX_ROOMS_PER_CONN)),
    );
    this.sessions.set(ws, session);
    return session;
  }

  of(ws: WebSocket): ViewerSession {
    const session = this.sessions.get(ws);
    if (!session) throw new Error('message from a connection that has no session');
    return session;
  }

  find(ws: WebSocket): ViewerSession | undefined {
    return this.sessions.get(ws);
  }
}
