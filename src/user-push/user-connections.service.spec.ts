import type { WebSocket } from 'ws';
import { MemoryBroker } from '../broker/memory-broker.js';
import { validateConfig } from '../config/validate-config.js';
import { testConnection } from '../../test/support/connections.js';
import { UserConnections } from './user-connections.service.js';

/** A real broker that also notes which users it was asked to follow. */
class RecordingBroker extends MemoryBroker {
  readonly calls: string[] = [];
  override followUser(user: string): void {
    this.calls.push(`follow ${user}`);
  }
  override unfollowUser(user: string): void {
    this.calls.push(`unfollow ${user}`);
  }
}

const connection = (id: number, user?: string) => testConnection(id, {} as WebSocket, user);

describe('UserConnections', () => {
  let broker: RecordingBroker;
  let users: UserConnections;
  beforeEach(() => {
    broker = new RecordingBroker(validateConfig({}));
    users = new UserConnections(broker);
  });
  afterEach(() => broker.onApplicationShutdown());

  it('follows a user from their first connection to the last one closing, and forgets them then', () => {
    const [tab1, tab2] = [connection(1, 'alice'), connection(2, 'alice')];
    users.add(tab1);
    users.add(tab2);
    expect(broker.calls).toEqual(['follow alice']);
    expect([...users.of('alice')!]).toEqual([tab1, tab2]);
    users.remove(tab1);
    expect([...users.of('alice')!]).toEqual([tab2]);
    users.remove(tab2);
    expect(broker.calls).toEqual(['follow alice', 'unfollow alice']);
    expect(users.of('alice')).toBeUndefined();
    expect(users.userCount).toBe(0);
    users.add(connection(3, 'alice'));
    expect(broker.calls).toEqual(['follow alice', 'unfollow alice', 'follow alice']);
  });

  it('keeps users apart and never indexes an anonymous connection', () => {
    users.add(connection(1, 'alice'));
    users.add(connection(2, 'bob'));
    users.add(connection(3));
    users.remove(connection(4));
    expect(users.userCount).toBe(2);
    expect(broker.calls).toEqual(['follow alice', 'follow bob']);
  });

  it('ignores the removal of a connection it does not hold', () => {
    const tab = connection(1, 'alice');
    users.add(tab);
    users.remove(connection(2, 'alice'));
    users.remove(connection(3, 'carol'));
    expect([...users.of('alice')!]).toEqual([tab]);
    expect(broker.calls).toEqual(['follow alice']);
  });
});
