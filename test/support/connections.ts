import type { WebSocket } from 'ws';
import { Connection } from '../../src/connections/connection.js';
import { TokenBucket } from '../../src/connections/token-bucket.js';

/** A Connection for specs that do not test rate limits: limits no spec reaches. */
export function testConnection(id: number, ws: WebSocket, user?: string): Connection {
  return new Connection(id, ws, user, { comments: new TokenBucket(1e6, 1e6), membership: new TokenBucket(1e6, 1e6) });
}
