import { setTimeout as pause } from 'node:timers/promises';
import { get, postJson, roomPath } from '../support/http.js';
import { type RunningServer, startServer } from '../support/server.js';
import { Viewer } from '../support/viewer.js';
import { OwnRedisCluster, redisCli, uniquePrefix } from './redis-support.js';

/** One POST of the steady publisher and what it was answered. */
interface Post {
  room: string;
  text: string;
  status: number;
  id?: string;
  seq?: number;
}

/**
 * Posts comments one at a time per room (a room whose shard is down does not hold up the
 * others), alternating between the two processes, until stopped. Every answer is kept, so
 * the test can compare what was acknowledged with what the viewers received.
 */
class SteadyPublisher {
  readonly posts: Post[] = [];
  private running = true;
  private readonly done: Promise<void[]>;

  constructor(rooms: string[], servers: RunningServer[]) {
    this.done = Promise.all(
      rooms.map(async (room) => {
        for (let i = 0; this.running; i++) {
          const text = `${room}#${i}`;
          try {
            const answer = await postJson(servers[i % servers.length].http, roomPath(room) + '/comments', { text });
            this.posts.push({ room, text, status: answer.status, id: answer.body?.id, seq: answer.body?.seq });
          } catch {
            this.posts.push({ room, text, status: 0 });
          }
          // A steady rate, not a flood: the point is what happens to each comment.
          await pause(20);
        }
      }),
    );
  }

  acknowledged(room?: string): Post[] {
    return this.posts.filter((post) => post.status >= 200 && post.status < 300 && (room === undefined || post.room === room));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

/**
 * REDIS_CLUSTER=true against three masters with a replica each, while two processes
 * deliver to viewers in rooms on every shard and a publisher posts steadily:
 * (a) a graceful CLUSTER FAILOVER, (b) a master killed with SIGKILL and replaced by its
 * replica after cluster-node-timeout. Delivery resumes on the promoted replica and
 * /healthz says 503 while a shard has no reachable master.
 *
 * What is guaranteed: every comment answered 2xx reaches the viewers, or, when it was
 * published while a process was re-subscribing to the shard's new master, the viewer
 * sees a seq gap where it belongs; once both processes answer /healthz 200 again, nothing
 * is missed. What is not: Redis replicates asynchronously, so a
 * master killed right after acknowledging a write may take it with it; the promoted
 * replica then hands out that seq again (measured and logged here, not asserted away).
 */
describe('Redis Cluster failover', () => {
  let cluster: OwnRedisCluster;
  let a: RunningServer;
  let b: RunningServer;
  let publisher: SteadyPublisher | undefined;
  const prefix = uniquePrefix('failover');
  const viewers: Viewer[] = [];
  const channel = (room: string) => `${prefix}{${room}}:ch`;
  let rooms: string[] = [];
  const marks: Record<string, number> = {};

  beforeAll(async () => {
    cluster = await OwnRedisCluster.start(3, { replicas: 1, nodeTimeoutMs: 1000 });
    // MAX_ROOMS_PER_CONN (5) rooms that cover every shard.
    const byOwner = new Map<number, string[]>();
    for (let i = 0; rooms.length < 5 && i < 200; i++) {
      const room = `f-${i}`;
      const owner = cluster.ownerOf(channel(room));
      const list = byOwner.get(owner) ?? [];
      if (list.length >= 2) continue;
      list.push(room);
      byOwner.set(owner, list);
      rooms.push(room);
    }
    rooms = rooms.sort((x, y) => cluster.ownerOf(channel(x)) - cluster.ownerOf(channel(y)));
    const env = {
      REDIS_URL: cluster.url,
      REDIS_CLUSTER: 'true',
      REDIS_PREFIX: prefix,
      REDIS_TIMEOUT_MS: '500',
      BATCH_WINDOW_MS: '50',
    };
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
    for (const server of [a, b]) {
      const viewer = await Viewer.connect(server.ws);
      viewers.push(viewer);
      for (const room of rooms) expect((await viewer.join(room)).type).toBe('JOINED');
    }
  }, 60_000);

  afterAll(async () => {
    await publisher?.stop();
    for (const viewer of viewers) viewer.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await cluster?.stop();
  });

  const healthz = async (server: RunningServer) => (await get(server.http, '/healthz')).status;

  /**
   * Delivery works in the room: the first comment acknowledged from now on reaches every
   * viewer. (Not the latest one: under load the publisher acknowledges the next before the
   * last has arrived, and the latest would never be seen delivered.)
   */
  async function deliveredAfter(room: string, from: number): Promise<void> {
    let first: Post | undefined;
    await vi.waitFor(
      () => {
        first ??= publisher!.acknowledged(room).find((post) => publisher!.posts.indexOf(post) >= from);
        expect(first).toBeDefined();
        for (const viewer of viewers) expect(viewer.itemsIn(room).map((item) => item.id)).toContain(first!.id);
      },
      { timeout: 20_000, interval: 50 },
    );
  }

  it('delivers on every shard before anything fails', async () => {
    expect(new Set(rooms.map((room) => cluster.ownerOf(channel(room)))).size).toBe(3);
    publisher = new SteadyPublisher(rooms, [a, b]);
    for (const room of rooms) await deliveredAfter(room, 0);
  });

  it('moves a shard to its replica with CLUSTER FAILOVER and keeps delivering', async () => {
    const room = rooms[0];
    const master = cluster.ownerOf(channel(room));
    const replica = cluster.replicaOf(master);
    marks.gracefulStart = publisher!.posts.length;
    expect(redisCli(replica, 'cluster', 'failover')).toBe('OK');
    await vi.waitFor(() => expect(cluster.ownerOf(channel(room))).toBe(replica), { timeout: 15_000, interval: 50 });
    marks.gracefulOwner = publisher!.posts.length;
    const from = publisher!.posts.length;
    for (const shardRoom of rooms) await deliveredAfter(shardRoom, from);
    await vi.waitFor(async () => expect([await healthz(a), await healthz(b)]).toEqual([200, 200]), { timeout: 15_000, interval: 50 });
    marks.gracefulHealthy = publisher!.posts.length;
  }, 60_000);

  it('says 503 while a killed master is not yet replaced, then delivers on the promoted replica', async () => {
    // A shard the graceful failover did not touch.
    const room = rooms.find((candidate) => cluster.ownerOf(channel(candidate)) !== cluster.ownerOf(channel(rooms[0])))!;
    const master = cluster.ownerOf(channel(room));
    const replica = cluster.replicaOf(master);
    const killedAt = publisher!.posts.length;
    await cluster.node(master).kill();
    marks.killed = publisher!.posts.length;

    // The shard has no master until the replica is promoted (cluster-node-timeout plus an election).
    // The body is read from the same answers that said 503: a second read could already see the promoted replica.
    await vi.waitFor(
      async () => {
        const answers = [await get(a.http, '/healthz'), await get(b.http, '/healthz')];
        expect(answers.map((answer) => [answer.status, (answer.body as { status?: string }).status])).toEqual([
          [503, 'broker down'],
          [503, 'broker down'],
        ]);
      },
      { timeout: 10_000, interval: 20 },
    );

    await vi.waitFor(() => expect(cluster.ownerOf(channel(room))).toBe(replica), { timeout: 20_000, interval: 50 });
    marks.promoted = publisher!.posts.length;
    await vi.waitFor(async () => expect([await healthz(a), await healthz(b)]).toEqual([200, 200]), { timeout: 20_000, interval: 50 });
    marks.healthy = publisher!.posts.length;
    const from = publisher!.posts.length;
    for (const shardRoom of rooms) await deliveredAfter(shardRoom, from);
    // While the shard was down, its room's comments were refused, not accepted and dropped.
    expect(publisher!.posts.slice(killedAt, from).some((post) => post.room === room && post.status === 503)).toBe(true);
  }, 90_000);

  it('delivered every acknowledged comment, or shows its absence as a seq gap', async () => {
    await publisher!.stop();
    const lastAcknowledged = new Map(rooms.map((room) => [room, publisher!.acknowledged(room).at(-1)!]));
    // Live items of the last window reach both processes.
    await vi.waitFor(() => {
      for (const viewer of viewers) {
        for (const room of rooms) expect(viewer.itemsIn(room).map((item) => item.id)).toContain(lastAcknowledged.get(room)!.id);
      }
    });

    const report: Record<string, { shard: number; acknowledged: number; delivered: number; gapSeqs: number[]; seqsReused: number }> = {};
    for (const [index, viewer] of viewers.entries()) {
      for (const room of rooms) {
        const items = viewer.itemsIn(room);
        const ids = new Set(items.map((item) => item.id));
        const seqs = new Set(items.map((item) => item.seq));
        const maxSeq = Math.max(...seqs);
        const acknowledged = publisher!.acknowledged(room);
        const missing = acknowledged.filter((post) => !ids.has(post.id));
        // Missing and visible: no item holds its seq, and a later seq arrived.
        const silent = missing.filter((post) => seqs.has(post.seq) || post.seq! > maxSeq);
        expect(silent, `viewer ${index}, ${room}: acknowledged, not delivered, and no gap shows it`).toEqual([]);
        // Once both processes said healthy again, they delivered everything.
        const position = (post: Post) => publisher!.posts.indexOf(post);
        const whileHealthy = missing.filter((post) => (position(post) >= marks.gracefulHealthy && position(post) < marks.killed) || position(post) >= marks.healthy);
        expect(whileHealthy, `viewer ${index}, ${room}: missed while /healthz said 200`).toEqual([]);
        const bySeq = new Map<number, number>();
        for (const post of acknowledged) bySeq.set(post.seq!, (bySeq.get(post.seq!) ?? 0) + 1);
        report[`${index}:${room}`] = {
          shard: cluster.ownerOf(channel(room)),
          acknowledged: acknowledged.length,
          delivered: acknowledged.length - missing.length,
          gapSeqs: missing.map((post) => post.seq!),
          seqsReused: [...bySeq.values()].filter((count) => count > 1).length,
        };
      }
    }
    // Seqs are reused only after an unreplicated write died with its master, and only on that shard.
    const graceful = rooms.filter((room) => cluster.ownerOf(channel(room)) === cluster.ownerOf(channel(rooms[0])));
    for (const room of graceful) expect(report[`0:${room}`].seqsReused).toBe(0);
    console.log('failover delivery report (post counts at each step:', JSON.stringify(marks), ')', JSON.stringify(report));
  }, 30_000);
});
