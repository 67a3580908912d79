import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { validateConfig } from '../config/validate-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { DanmakuEvents } from '../events/danmaku-events.js';
import { RoomService } from '../rooms/room.service.js';
import { DeliveryTimings } from '../stats/delivery-timings.js';
import { StatsService } from '../stats/stats.service.js';
import { testConnection } from '../../test/support/connections.js';
import { HeartbeatService } from './heartbeat.service.js';

describe('HeartbeatService', () => {
  let server: WebSocketServer;
  const clients: WebSocket[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
  });
  afterAll(() => {
    for (const client of clients) client.terminate();
    server.close();
  });

  it('pings every connection of a shard once, finishing a shard whose slice ran out on the next turn', async () => {
    const config = validateConfig({ SHARDS: '1' });
    const rooms = new RoomService(config);
    const heartbeat = new HeartbeatService(rooms, new FanOutService(rooms, new StatsService(), config, new DanmakuEvents(), new DeliveryTimings()), config);
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const pings: number[] = [];
    for (let id = 0; id < 40; id++) {
      const accepted = once(server, 'connection') as Promise<[WebSocket]>;
      const client = new WebSocket(url);
      clients.push(client);
      pings.push(0);
      client.on('ping', () => pings[id]++);
      const [[accepting]] = await Promise.all([accepted, once(client, 'open')]);
      rooms.connect(testConnection(id, accepting));
    }
    const allPinged = new Promise<void>((resolve) => clients.forEach((client) => client.on('ping', () => pings.every((n) => n > 0) && resolve())));

    // A clock that moves 10 ms per look ends the slice at its first look, after 32 connections.
    let clock = performance.now();
    const now = vi.spyOn(performance, 'now').mockImplementation(() => (clock += 10));
    const resumed = vi.spyOn(globalThis, 'setImmediate');
    try {
      (heartbeat as unknown as { sweepNextShard(): void }).sweepNextShard();
      expect(resumed).toHaveBeenCalledTimes(1);
    } finally {
      now.mockRestore();
      resumed.mockRestore();
    }
    await allPinged;
    expect(pings).toEqual(Array.from({ length: 40 }, () => 1));
    heartbeat.onApplicationShutdown();
  });
});
