import type { IncomingMessage } from 'node:http';

export interface Viewer {
  /** Stamped on the viewer's comments as `user`. */
  user?: string;
}

/**
 * Decides who a connecting viewer is, from the HTTP upgrade request (query, cookies,
 * headers). Return the viewer to admit it, or null to refuse the upgrade with 401.
 * Runs once per connection, before the socket opens.
 */
export abstract class ViewerAuthenticator {
  abstract authenticate(request: IncomingMessage): Viewer | null | Promise<Viewer | null>;
}
