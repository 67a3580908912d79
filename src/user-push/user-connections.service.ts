import { Injectable } from '@nestjs/common';
import { Broker } from '../broker/broker.js';
import type { Connection } from '../connections/connection.js';

/**
 * Which connections of this process belong to each user, for pushes to one user. A user
 * has an entry only while one of their connections is open, and the broker follows the
 * user exactly as long: from the first connection opening to the last one closing.
 * Anonymous connections (no user) are not indexed and never receive such pushes.
 */
@Injectable()
export class UserConnections {
  private readonly byUser = new Map<string, Set<Connection>>();

  constructor(private readonly broker: Broker) {}

  add(connection: Connection): void {
    const { user } = connection;
    if (user === undefined) return;
    let connections = this.byUser.get(user);
    if (!connections) {
      this.byUser.set(user, (connections = new Set()));
      this.broker.followUser(user);
    }
    connections.add(connection);
  }

  remove(connection: Connection): void {
    const { user } = connection;
    if (user === undefined) return;
    const connections = this.byUser.get(user);
    if (!connections?.delete(connection) || connections.size > 0) return;
    this.byUser.delete(user);
    this.broker.unfollowUser(user);
  }

  /** The user's open connections here; undefined when there are none. */
  of(user: string): ReadonlySet<Connection> | undefined {
    return this.byUser.get(user);
  }

  /** Users with at least one connection here. */
  get userCount(): number {
    return this.byUser.size;
  }
}
