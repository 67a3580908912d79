import type { WebSocket } from 'ws';
import { validateConfig } from '../config/validate-config.js';
import { testConnection } from '../../test/support/connections.js';
import { RoomService } from '../rooms/room.service.js';
import { LocalPresence } from './local-presence.js';

const member = (id: number) => testConnection(id, {} as WebSocket, undefined);

describe('LocalPresence', () => {
  let rooms: RoomService;
  let presence: LocalPresence;
  beforeEach(() => {
    rooms = new RoomService(validateConfig({}));
    presence = new LocalPresence(rooms);
  });

  it('counts the members of this process, with or without a round trip', async () => {
    const [a, b] = [member(1), member(2)];
    rooms.join(a, 'r');
    rooms.join(b, 'r');
    rooms.join(b, 'other');
    expect(presence.onlineIn('r')).toBe(2);
    expect(await presence.online('r')).toBe(2);
    rooms.disconnect(b);
    expect(presence.onlineIn('r')).toBe(1);
    expect(await presence.online('other')).toBe(0);
    expect(presence.onlineIn('nobody')).toBe(0);
  });

  it('reports each join and leave as a changed room', () => {
    const changed: string[] = [];
    const subscription = presence.changed$.subscribe((room) => changed.push(room));
    const a = member(1);
    rooms.join(a, 'r');
    rooms.join(a, 'r');
    rooms.join(a, 's');
    rooms.leave(a, 'r');
    subscription.unsubscribe();
    rooms.leave(a, 's');
    expect(changed).toEqual(['r', 's', 'r']);
  });
});
