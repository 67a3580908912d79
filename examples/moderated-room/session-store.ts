import { Injectable } from '@nestjs/common';

/**
 * The host app's own sessions (a stand-in for a database or a session middleware):
 * session id → user name.
 */
@Injectable()
export class SessionStore {
  private readonly sessions = new Map<string, string>([
    ['alice-session', 'alice'],
    ['bob-session', 'bob'],
    ['mallory-session', 'mallory'],
  ]);

  userFor(sessionId: string | null | undefined): string | undefined {
    return sessionId ? this.sessions.get(sessionId) : undefined;
  }
}
