import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { Viewer } from '../../test/support/viewer.js';
import { MemoryBroker } from '../broker/memory-broker.js';
import { validateConfig } from '../config/validate-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { DanmakuEvents } from '../events/danmaku-events.js';
import type { Connection } from '../connections/connection.js';
import { testConnection } from '../../test/support/connections.js';
import { RoomService } from '../rooms/room.service.js';
import { DeliveryTimings } from '../stats/delivery-timings.js';
import { StatsService } from '../stats/stats.service.js';
import { BatchService } from './batch.service.js';
import { PushFrameEncoder } from './push-frame-encoder.js';
import { ReplayService } from './replay.service.js';
import { textFrame } from '../sockets/socket-internals.js';

describe('ReplayService', () => {
  let server: WebSocketServer;
  let broker: MemoryBroker;
  let rooms: RoomService;
  let batches: BatchService;
  let replays: ReplayService;
  const viewers: Viewer[] = [];

  beforeEach(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    // A long window: what is published after a room's leading frame stays pending.
    const config = validateConfig({ BATCH_WINDOW_MS: '10000', BATCH_MAX_ITEMS: '2' });
    rooms = new RoomService(config);
    broker = new MemoryBroker(config);
    const stats = new StatsService();
    const encoder = new PushFrameEncoder();
    const fanOut = new FanOutService(rooms, stats, config, new DanmakuEvents(), new DeliveryTimings());
    batches = new BatchService(broker, fanOut, encoder, rooms, stats, new DeliveryTimings(), config);
    batches.onModuleInit();
    replays = new ReplayService(batches, encoder, fanOut, config, broker);
  });

  afterEach(async () => {
    batches.onApplicationShutdown();
    for (const viewer of viewers.splice(0)) viewer.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A viewer connected over a real socket, and the Connection the server side sees. */
  async function connect(): Promise<{ viewer: Viewer; member: Connection }> {
    const accepted = once(server, 'connection') as Promise<[WebSocket]>;
    const viewer = await Viewer.connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    viewers.push(viewer);
    const [ws] = await accepted;
    return { viewer, member: testConnection(viewers.length, ws, undefined) };
  }

  const publish = (room: string, ...texts: string[]) =>
    broker.publish(
      room,
      texts.map((text, i) => ({ id: `${room}-${text}-${i}`, room, text, color: '#ffffff', mode: 'scroll', ts: 0, priority: false })),
    );

  /** Joins, replays `since` and answers JOINED, as the gateway does; resolves with what came before JOINED. */
  async function resume(room: string, since: number) {
    const { viewer, member } = await connect();
    rooms.join(member, room);
    replays.sendTo(member, room, await broker.replay(room, since));
    member.ws.send(JSON.stringify({ type: 'JOINED', data: { room } }));
    const joined = await viewer.next('JOINED');
    const before = viewer.frames.slice(0, viewer.frames.indexOf(joined));
    return { viewer, pushes: before.map((frame) => ({ type: frame.type, room: frame.data.room, seqs: frame.data.items.map((i: any) => i.seq) })) };
  }

  it('sends the items after since in frames of at most BATCH_MAX_ITEMS, oldest first', async () => {
    await publish('r', 'a', 'b', 'c', 'd', 'e');
    expect(batches.firstPendingSeq('r')).toBeUndefined();
    const { pushes } = await resume('r', 0);
    expect(pushes).toEqual([
      { type: 'PUSH', room: 'r', seqs: [1, 2] },
      { type: 'PUSH', room: 'r', seqs: [3, 4] },
      { type: 'PUSH', room: 'r', seqs: [5] },
    ]);
    expect((await resume('r', 3)).pushes.map((push) => push.seqs)).toEqual([[4, 5]]);
  });

  it('stops before encoding a frame for a member over the slow-consumer bound, and says so', async () => {
    await publish('r', 'a', 'b', 'c');
    const { viewer, member } = await connect();
    rooms.join(member, 'r');
    // Over the bound: a frame held in Node (corked), unsent.
    member.socket.cork();
    member.socket.write(textFrame(JSON.stringify({ type: 'FILLER', data: 'x'.repeat(1_048_577) })));
    expect(replays.sendTo(member, 'r', await broker.replay('r', 0))).toBe(false);
    member.socket.uncork();
    await viewer.next('FILLER');
    expect(viewer.frames.filter((frame) => frame.type === 'PUSH')).toEqual([]);
  });

  it('sends nothing when the member has seen everything', async () => {
    await publish('r', 'a', 'b');
    expect((await resume('r', 2)).pushes).toEqual([]);
  });

  it('stops before the items still pending in the batch pipeline, which then arrive live, once', async () => {
    const watcher = await connect();
    rooms.join(watcher.member, 'r');
    await publish('r', 'lead');
    await watcher.viewer.next('PUSH');
    // The room is batched now: these wait for its window.
    await publish('r', 'p1', 'p2');
    expect(batches.firstPendingSeq('r')).toBe(2);

    const { viewer, pushes } = await resume('r', 0);
    expect(pushes).toEqual([{ type: 'PUSH', room: 'r', seqs: [1] }]);
    await batches.flushPending();
    await viewer.next((frame) => frame.type === 'PUSH' && frame.data.items[0].seq === 2);
    expect(viewer.itemsIn('r').map((item) => item.seq)).toEqual([1, 2, 3]);
  });

  it('leaves out what was pending at the JOIN even when it is written before the history is read', async () => {
    const watcher = await connect();
    rooms.join(watcher.member, 'r');
    await publish('r', 'lead');
    await watcher.viewer.next('PUSH');
    await publish('r', 'p1', 'p2');

    const { viewer, member } = await connect();
    rooms.join(member, 'r');
    const liveFrom = replays.liveFrom('r');
    expect(liveFrom).toBe(2);
    // The room's window closes while the history is being read (as with Redis): p1 and p2
    // reach the new member live, and the replay must not bring them again.
    await batches.flushPending();
    await viewer.next((frame) => frame.type === 'PUSH' && frame.data.items[0].seq === 2);
    replays.sendTo(member, 'r', await broker.replay('r', 0), liveFrom);
    member.ws.send(JSON.stringify({ type: 'JOINED', data: { room: 'r' } }));
    await viewer.next('JOINED');
    expect(viewer.itemsIn('r').map((item) => item.seq).sort()).toEqual([1, 2, 3]);
  });

  it('counts from the broker’s last delivered item when nothing is pending at the JOIN', async () => {
    await publish('r', 'a', 'b');
    await batches.flushPending();
    expect(batches.firstPendingSeq('r')).toBeUndefined();
    expect(replays.liveFrom('r')).toBe(3);
    expect(replays.liveFrom('unknown')).toBeUndefined();
  });
});
