import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { type Viewer, ViewerAuthenticator } from '../../src/index.js';
import { SessionStore } from './session-store.js';

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * The app's own auth hook: viewers are whoever their `sid` cookie (or `?session=`) says;
 * anyone without a known session is refused with 401.
 */
@Injectable()
export class SessionAuthenticator extends ViewerAuthenticator {
  constructor(private readonly sessions: SessionStore) {
    super();
  }

  authenticate(request: IncomingMessage): Viewer | null {
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('session');
    const user = this.sessions.userFor(cookie(request, 'sid') ?? query);
    return user ? { user } : null;
  }
}
