import type { WebSocket } from 'ws';
import { MemoryBroker } from '../broker/memory-broker.js';
import { validateConfig } from '../config/validate-config.js';
import { testConnection } from '../../test/support/connections.js';
import { RoomService } from './room.service.js';
import { RoomSubscriptions } from './room-subscriptions.service.js';

const member = (id: number) => testConnection(id, {} as WebSocket, undefined);

/** A real broker that also notes what it was asked to follow. */
class RecordingBroker extends MemoryBroker {
  readonly calls: string[] = [];
  override follow(room: string): void {
    this.calls.push(`follow ${room}`);
  }
  override unfollow(room: string): void {
    this.calls.push(`unfollow ${room}`);
  }
}

describe('RoomSubscriptions', () => {
  const config = validateConfig({});
  let rooms: RoomService;
  let broker: RecordingBroker;
  let subscriptions: RoomSubscriptions;
  beforeEach(() => {
    rooms = new RoomService(config);
    broker = new RecordingBroker(config);
    subscriptions = new RoomSubscriptions(rooms, broker);
    subscriptions.onModuleInit();
  });
  afterEach(() => {
    subscriptions.onApplicationShutdown();
    broker.onApplicationShutdown();
  });

  it('follows a room from its first member, within the JOIN, to the last one leaving', () => {
    const [a, b] = [member(1), member(2)];
    rooms.join(a, 'r');
    // Already followed when join returns: the member's seq or history read comes after.
    expect(broker.calls).toEqual(['follow r']);
    rooms.join(b, 'r');
    rooms.leave(a, 'r');
    expect(broker.calls).toEqual(['follow r']);
    rooms.leave(b, 'r');
    expect(broker.calls).toEqual(['follow r', 'unfollow r']);
  });

  it('unfollows every room of a connection that closes, and follows a room again when it reopens', () => {
    const a = member(1);
    rooms.join(a, 'x');
    rooms.join(a, 'y');
    rooms.disconnect(a);
    rooms.join(member(2), 'x');
    expect(broker.calls).toEqual(['follow x', 'follow y', 'unfollow x', 'unfollow y', 'follow x']);
  });

  it('stops asking the broker at shutdown', () => {
    subscriptions.onApplicationShutdown();
    rooms.join(member(1), 'late');
    expect(broker.calls).toEqual([]);
  });
});
