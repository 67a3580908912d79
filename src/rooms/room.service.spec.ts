import type { WebSocket } from 'ws';
import { validateConfig } from '../config/validate-config.js';
import type { Connection } from '../connections/connection.js';
import { testConnection } from '../../test/support/connections.js';
import { RoomService } from './room.service.js';

const fakeSocket = {} as WebSocket;
const member = (id: number) => testConnection(id, fakeSocket, undefined);

function roomService(shards = 4): RoomService {
  return new RoomService(validateConfig({ SHARDS: String(shards) }));
}

function membersOf(rooms: RoomService, room: string): Connection[] {
  const all: Connection[] = [];
  for (let shard = 0; shard < rooms.shardCount; shard++) all.push(...(rooms.membersInShard(room, shard) ?? []));
  return all;
}

describe('RoomService', () => {
  it('places runs of 64 consecutive ids in one shard, taking the shards in turn', () => {
    const rooms = roomService(4);
    for (let id = 0; id < 512; id++) rooms.join(member(id), 'r');
    for (let shard = 0; shard < 4; shard++) {
      const ids = [...rooms.membersInShard('r', shard)!].map((m) => m.id);
      const runs = [shard, shard + 4].map((run) => Array.from({ length: 64 }, (_, i) => run * 64 + i));
      expect(ids).toEqual(runs.flat());
    }
  });

  it('counts members as they join and leave, and ignores repeats', () => {
    const rooms = roomService();
    const [a, b] = [member(1), member(2)];
    expect(rooms.join(a, 'r')).toBe(true);
    expect(rooms.join(a, 'r')).toBe(false);
    expect(rooms.join(b, 'r')).toBe(true);
    expect(rooms.onlineIn('r')).toBe(2);
    expect(rooms.leave(b, 'r')).toBe(true);
    expect(rooms.leave(b, 'r')).toBe(false);
    expect(rooms.onlineIn('r')).toBe(1);
    expect(membersOf(rooms, 'r')).toEqual([a]);
  });

  it('makes an empty room disappear from every shard and from the room count', () => {
    const rooms = roomService();
    const [a, b] = [member(1), member(2)];
    const closed: string[] = [];
    rooms.closed$.subscribe((room) => closed.push(room));
    rooms.join(a, 'r');
    rooms.join(b, 'r');
    expect(rooms.roomCount).toBe(1);
    rooms.leave(a, 'r');
    rooms.leave(b, 'r');
    expect(rooms.roomCount).toBe(0);
    expect(rooms.onlineIn('r')).toBe(0);
    expect(membersOf(rooms, 'r')).toEqual([]);
    expect([...rooms.rooms]).toEqual([]);
    expect(closed).toEqual(['r']);
  });

  it('signals the first member of a room, once', () => {
    const rooms = roomService();
    const opened: string[] = [];
    rooms.opened$.subscribe((room) => opened.push(room));
    rooms.join(member(1), 'r');
    rooms.join(member(2), 'r');
    expect(opened).toEqual(['r']);
  });

  it('removes a closed connection from all its rooms and from the connection list', () => {
    const rooms = roomService();
    const [a, b] = [member(1), member(2)];
    rooms.connect(a);
    rooms.connect(b);
    for (const room of ['x', 'y', 'z']) rooms.join(a, room);
    rooms.join(b, 'x');
    expect(rooms.connectionCount).toBe(2);
    rooms.disconnect(a);
    expect(a.rooms.size).toBe(0);
    expect(rooms.connectionCount).toBe(1);
    expect(rooms.onlineIn('x')).toBe(1);
    expect(rooms.onlineIn('y')).toBe(0);
    expect(rooms.roomCount).toBe(1);
    expect(membersOf(rooms, 'x')).toEqual([b]);
  });

  it('keeps thousands of members spread evenly over the shards', () => {
    const rooms = roomService(16);
    for (let id = 0; id < 16_384; id++) rooms.join(member(id), 'big');
    for (let shard = 0; shard < 16; shard++) expect(rooms.membersInShard('big', shard)!.size).toBe(1024);
    expect(rooms.onlineIn('big')).toBe(16_384);
  });
});
