import { randomUUID } from 'node:crypto';
import { get, postJson, roomPath } from '../support/http.js';
import { postOnce } from '../support/idempotent-post.js';
import { type RunningServer, startFailing, startServer } from '../support/server.js';
import { Viewer, eventually } from '../support/viewer.js';
import { OwnRedisCluster, redisCli, uniquePrefix } from './redis-support.js';

/**
 * REDIS_CLUSTER=true against a local three-master Redis Cluster started from Debian's
 * redis-server: each room's keys and sharded channel live on the shard that owns the
 * room's slot, and a process subscribes (SSUBSCRIBE) on that shard only.
 */
describe('Redis Cluster with sharded pub/sub', () => {
  let cluster: OwnRedisCluster;
  let a: RunningServer;
  let b: RunningServer;
  const prefix = uniquePrefix('cluster');
  const viewers: Viewer[] = [];
  // MAX_ROOMS_PER_CONN (5) rooms, which land on more than one shard.
  const rooms = ['c-lobby', 'c-two', 'c-three', 'c-four', 'c-five'];

  beforeAll(async () => {
    cluster = await OwnRedisCluster.start(3);
    const env = {
      REDIS_URL: cluster.url,
      REDIS_CLUSTER: 'true',
      REDIS_PREFIX: prefix,
      REDIS_TIMEOUT_MS: '500',
      BATCH_WINDOW_MS: '50',
      ONLINE_INTERVAL_MS: '200',
    };
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    for (const viewer of viewers) viewer.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await cluster?.stop();
  });

  it('delivers across processes for rooms on every shard, with global seqs, and subscribes on the owning shard only', async () => {
    const viewer = await Viewer.connect(a.ws);
    viewers.push(viewer);
    for (const room of rooms) expect((await viewer.join(room)).type).toBe('JOINED');

    const owners = new Set(rooms.map((room) => cluster.ownerOf(`${prefix}{${room}}:ch`)));
    expect(owners.size).toBeGreaterThan(1);
    for (const room of rooms) {
      const owner = cluster.ownerOf(`${prefix}{${room}}:ch`);
      for (const node of cluster.nodes) {
        const channels = redisCli(node.port, 'pubsub', 'shardchannels', `${prefix}*`).split('\n');
        expect(channels.includes(`${prefix}{${room}}:ch`)).toBe(node.port === owner);
      }
    }

    for (const room of rooms) {
      const answer = await postJson(b.http, roomPath(room) + '/comments/batch', { items: [{ text: `${room}-1` }, { text: `${room}-2` }] });
      expect(answer.body).toEqual({ accepted: 2, firstSeq: 1, lastSeq: 2 });
    }
    for (const room of rooms) {
      await vi.waitFor(() => expect(viewer.itemsIn(room).map((item) => [item.seq, item.text])).toEqual([
        [1, `${room}-1`],
        [2, `${room}-2`],
      ]));
    }
  });

  it('resumes on the other process and sums online counts through the shards', async () => {
    const onB = await Viewer.connect(b.ws);
    viewers.push(onB);
    const joined = await onB.join('c-three', 1);
    expect(joined.data).toMatchObject({ room: 'c-three', seq: 2, epoch: expect.any(String) });
    expect(onB.itemsIn('c-three').map((item) => item.text)).toEqual(['c-three-2']);
    // The epoch lives beside the seq, on the room's shard: the same on every process.
    const epochKey = `${prefix}{c-three}:epoch`;
    expect(redisCli(cluster.ownerOf(epochKey), 'GET', epochKey)).toBe(joined.data.epoch);
    await eventually(async () => (await get(a.http, roomPath('c-three'))).body.online === 2);
    await eventually(async () => (await get(b.http, roomPath('c-three'))).body.online === 2);
    const onA = await Viewer.connect(a.ws);
    viewers.push(onA);
    const other = await onA.request('JOIN', { room: 'c-three', since: 1, epoch: 'not-this-one' }, 'JOINED');
    expect(other.data).toMatchObject({ seq: 2, epoch: joined.data.epoch, gap: true });
  });

  it('refuses to start against a cluster node without REDIS_CLUSTER=true', async () => {
    const url = `redis://127.0.0.1:${cluster.nodes[0].port}`;
    const { code, output } = await startFailing({ REDIS_URL: url, REDIS_PREFIX: prefix });
    expect(code).toBe(1);
    expect(output).toContain(`REDIS_URL="${url}": it is a Redis Cluster node: set REDIS_CLUSTER=true`);
    expect(output).not.toContain('listening');
  });

  it('carries broadcasts on their own sharded channel', async () => {
    const onB = await Viewer.connect(b.ws);
    viewers.push(onB);
    const answer = await postJson(a.http, '/broadcast', { text: 'cluster-wide' });
    const frame = await onB.next((f) => f.type === 'PUSH' && f.data.room === null);
    expect(frame.data.items).toEqual([expect.objectContaining({ id: answer.body.id, text: 'cluster-wide' })]);
  });

  it('stores Idempotency-Keys on the shard of each room (and of broadcasts): a repeat on the other process publishes nothing', async () => {
    const key = randomUUID();
    for (const room of rooms) {
      const first = await postOnce(a.http, `/rooms/${room}/comments`, key, { text: 'once per shard' });
      const repeat = await postOnce(b.http, `/rooms/${room}/comments`, key, { text: 'once per shard' });
      expect(first.status).toBe(202);
      expect(repeat.text).toBe(first.text);
      expect(redisCli(cluster.ownerOf(`${prefix}{${room}}:ch`), 'exists', `${prefix}{${room}}:once:comments:${key}`)).toBe('1');
    }
    const seqs = await Promise.all(rooms.map(async (room) => (await get(b.http, roomPath(room))).body.seq));
    const again = await Promise.all(rooms.map((room) => postOnce(b.http, `/rooms/${room}/comments`, key, { text: 'once per shard' })));
    expect(await Promise.all(rooms.map(async (room) => (await get(a.http, roomPath(room))).body.seq))).toEqual(seqs);
    expect(again.map((answer) => answer.status)).toEqual(rooms.map(() => 202));
    const broadcasts = await Promise.all([a, b].map((server) => postOnce(server.http, '/broadcast', key, { text: 'once to all' })));
    expect(broadcasts[1].text).toBe(broadcasts[0].text);
    const pushes = await Promise.all([a, b].map((server) => postOnce(server.http, '/push/all', key, new URLSearchParams({ items: '[1]' }))));
    expect(pushes.map((answer) => answer.text)).toEqual(['{"accepted":1}', '{"accepted":1}']);
  });

  it('turns unhealthy when one master stops answering, and delivers again on that shard when it is back', async () => {
    const room = 'c-three';
    const owner = cluster.nodes.find((node) => node.port === cluster.ownerOf(`${prefix}{${room}}:ch`))!;
    const viewer = await Viewer.connect(a.ws);
    viewers.push(viewer);
    await viewer.join(room);
    owner.pause();
    try {
      await eventually(async () => (await get(a.http, '/healthz')).status === 503, 10_000);
      expect((await get(a.http, '/healthz')).body.reason).toMatch(/PING/);
      expect((await postJson(b.http, roomPath(room) + '/comments', { text: 'stalled' })).status).toBe(503);
    } finally {
      owner.resume();
    }
    await eventually(async () => (await get(a.http, '/healthz')).status === 200 && (await get(b.http, '/healthz')).status === 200, 15_000);
    // The cluster may take a moment to accept writes again after its node timeout.
    await eventually(async () => (await postJson(b.http, roomPath(room) + '/comments', { text: 'back' })).status === 202, 15_000, 200);
    await viewer.next((f) => f.type === 'PUSH' && f.data.items.some((item: any) => item.text === 'back'), 10_000);
    expect(viewer.itemsIn(room).map((item) => item.text)).toContain('back');
  });
});
