import type { WebSocket } from 'ws';
import { validateConfig } from '../config/validate-config.js';
import { testConnection } from '../../test/support/connections.js';
import { RoomService } from '../rooms/room.service.js';
import { LIST_REFRESH_MS, LiveRoomsController } from './live-rooms.controller.js';

function roomsWith(counts: Record<string, number>): RoomService {
  const rooms = new RoomService(validateConfig({}));
  let id = 0;
  for (const [room, count] of Object.entries(counts)) {
    for (let i = 0; i < count; i++) rooms.join(testConnection(id++, {} as WebSocket, undefined), room);
  }
  return rooms;
}

test('lists the 100 busiest rooms, busiest first (ties by name), with the total', () => {
  const counts: Record<string, number> = {};
  for (let i = 0; i < 250; i++) counts[`r${String(i).padStart(3, '0')}`] = 1 + ((i * 7919) % 13);
  counts.big = 50;
  const { rooms, total } = new LiveRoomsController(roomsWith(counts)).list(0);
  const expected = Object.entries(counts)
    .map(([room, online]) => ({ room, online }))
    .sort((a, b) => b.online - a.online || (a.room < b.room ? -1 : 1))
    .slice(0, 100);
  expect(total).toBe(251);
  expect(rooms).toEqual(expected);
});

test('walks the rooms at most once per refresh period, however often it is asked', () => {
  const service = roomsWith({ a: 1, b: 2 });
  const walks = vi.spyOn(service, 'rooms', 'get');
  const controller = new LiveRoomsController(service);
  for (let i = 0; i < 100; i++) controller.list(1000 + i);
  expect(walks).toHaveBeenCalledTimes(1);
  service.join(testConnection(99, {} as WebSocket, undefined), 'c');
  expect(controller.list(1000 + LIST_REFRESH_MS).total).toBe(3);
  expect(walks).toHaveBeenCalledTimes(2);
});
