import { get, postJson, roomPath } from '../support/http.js';
import { type RunningServer, startServer } from '../support/server.js';
import { Viewer, eventually } from '../support/viewer.js';
import { OwnRedis, OwnRedisCluster, redisCli, uniquePrefix } from './redis-support.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Two server processes on a Redis of their own, each logging in as its own ACL user, so
 * that process A can be kept from reconnecting while B goes on publishing: what A misses
 * is then certain, not a race. A's viewers stay connected throughout and do nothing.
 */
describe('a process fills its own gaps', { timeout: 60_000 }, () => {
  let redis: OwnRedis;
  let a: RunningServer;
  let b: RunningServer;
  const prefix = uniquePrefix('gapfill');
  const viewers: Viewer[] = [];
  const HISTORY_SIZE = 300;

  const connect = async (server: RunningServer) => {
    const viewer = await Viewer.connect(server.ws);
    viewers.push(viewer);
    return viewer;
  };
  const health = async (server: RunningServer) => (await get(server.http, '/healthz')).status;
  const seqsOf = (viewer: Viewer, room: string) => viewer.itemsIn(room).map((item) => item.seq as number);

  /** `count` comments through B one by one, each retried until accepted (B may be reconnecting). */
  async function publish(room: string, count: number, label = 'c'): Promise<number[]> {
    const seqs: number[] = [];
    for (let i = 0; i < count; i++) {
      const answer = await eventually(async () => {
        const posted = await postJson(b.http, roomPath(room) + '/comments', { text: `${label}${i}` });
        return posted.status === 202 ? posted : undefined;
      }, 15_000);
      seqs.push(answer!.body.seq);
    }
    return seqs;
  }

  async function publishBatch(room: string, count: number): Promise<void> {
    const items = Array.from({ length: count }, (_, i) => ({ text: `b${i}` }));
    await eventually(async () => (await postJson(b.http, roomPath(room) + '/comments/batch', { items })).status === 202, 15_000);
  }

  /** Cuts every subscriber connection while A cannot log in again: A is down until letIn. */
  async function cutA(): Promise<void> {
    redis.lockOut('a');
    redisCli(redis.port, 'CLIENT', 'KILL', 'TYPE', 'pubsub');
    await eventually(async () => (await health(a)) === 503, 10_000);
  }

  beforeAll(async () => {
    redis = await OwnRedis.start({ persistent: true, users: ['a', 'b'] });
    const env = {
      REDIS_PREFIX: prefix,
      REDIS_TIMEOUT_MS: '500',
      BATCH_WINDOW_MS: '50',
      // Nothing thinned: every item the viewer should have is in its frames.
      BATCH_MAX_ITEMS: '1000',
      HISTORY_SIZE: String(HISTORY_SIZE),
    };
    [a, b] = await Promise.all([startServer({ ...env, REDIS_URL: redis.urlFor('a') }), startServer({ ...env, REDIS_URL: redis.urlFor('b') })]);
  });
  afterEach(async () => {
    redis.letIn('a');
    await eventually(async () => (await health(a)) === 200 && (await health(b)) === 200, 15_000);
  });
  afterAll(async () => {
    for (const viewer of viewers) viewer.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('after CLIENT KILL TYPE pubsub, a viewer on A gets everything B published meanwhile: complete, in order, once', async () => {
    const viewer = await connect(a);
    await viewer.join('cut');
    const first = await publish('cut', 50);
    await cutA();
    const missed = await publish('cut', 50, 'missed');
    redis.letIn('a');
    // Published while A comes back: some arrive live during its fill.
    const after = await publish('cut', 50, 'after');
    expect([...first, ...missed, ...after]).toEqual(range(1, 150));
    await vi.waitFor(() => expect(seqsOf(viewer, 'cut')).toEqual(range(1, 150)), { timeout: 15_000 });
    // Nothing comes twice later either: the next item follows at once.
    await publish('cut', 1, 'last');
    await vi.waitFor(() => expect(seqsOf(viewer, 'cut')).toEqual(range(1, 151)));
    expect(viewer.itemsIn('cut').slice(50, 100).map((item) => item.text)).toEqual(range(0, 49).map((i) => `missed${i}`));
  });

  it('when the history no longer covers the gap, the viewer gets what is kept and sees the seq jump', async () => {
    const viewer = await connect(a);
    await viewer.join('beyond');
    await publish('beyond', 5);
    await vi.waitFor(() => expect(seqsOf(viewer, 'beyond')).toEqual(range(1, 5)));
    await cutA();
    await publishBatch('beyond', HISTORY_SIZE + 100);
    redis.letIn('a');
    const kept = range(106, 405);
    await vi.waitFor(() => expect(seqsOf(viewer, 'beyond')).toEqual([...range(1, 5), ...kept]), { timeout: 15_000 });
    await publish('beyond', 1);
    await vi.waitFor(() => expect(seqsOf(viewer, 'beyond')).toEqual([...range(1, 5), ...kept, 406]));
  });

  it('after a Redis restart with persistence, the viewer gets what was published before its process reconnected', async () => {
    const viewer = await connect(a);
    const joined = await viewer.join('persist');
    await publish('persist', 30);
    await vi.waitFor(() => expect(seqsOf(viewer, 'persist')).toEqual(range(1, 30)));

    await redis.kill();
    await redis.restart({ lockedOut: ['a'] });
    await eventually(async () => (await health(b)) === 200, 15_000);
    expect(await health(a)).toBe(503);
    expect(await publish('persist', 20, 'while-a-away')).toEqual(range(31, 50));
    redis.letIn('a');
    await vi.waitFor(() => expect(seqsOf(viewer, 'persist')).toEqual(range(1, 50)), { timeout: 15_000 });
    await publish('persist', 1);
    await vi.waitFor(() => expect(seqsOf(viewer, 'persist')).toEqual(range(1, 51)));
    // The history survived: same epoch.
    const other = await connect(b);
    expect((await other.join('persist')).data).toMatchObject({ seq: 51, epoch: joined.data.epoch });
  });

  it('a Redis restarted empty names a new epoch: a resume from the old one reports the gap, one without epoch behaves as before', async () => {
    const viewer = await connect(a);
    const joined = await viewer.join('epoch');
    const oldEpoch = joined.data.epoch;
    expect(oldEpoch).toEqual(expect.any(String));
    await publishBatch('epoch', 150);
    await vi.waitFor(() => expect(seqsOf(viewer, 'epoch')).toEqual(range(1, 150)));

    await redis.kill();
    await redis.restart({ empty: true, lockedOut: ['a'] });
    await eventually(async () => (await health(b)) === 200, 15_000);
    await publishBatch('epoch', 200);
    redis.letIn('a');
    // The connected viewer on A: the new history's items follow, its seqs starting again.
    await vi.waitFor(() => expect(seqsOf(viewer, 'epoch')).toEqual([...range(1, 150), ...range(1, 200)]), { timeout: 15_000 });

    const resumed = await connect(b);
    const answer = await resumed.request('JOIN', { room: 'epoch', since: 150, epoch: oldEpoch }, 'JOINED');
    expect(answer.data).toEqual({ room: 'epoch', seq: 200, epoch: expect.any(String), online: expect.any(Number), gap: true });
    const newEpoch = answer.data.epoch;
    expect(newEpoch).not.toBe(oldEpoch);
    expect(seqsOf(resumed, 'epoch')).toEqual(range(1, 200));

    // Without epoch: as before epochs existed (151..200 of the new history, no gap).
    const legacy = await connect(b);
    const legacyAnswer = await legacy.join('epoch', 150);
    expect(legacyAnswer.data).toEqual({ room: 'epoch', seq: 200, epoch: newEpoch, online: expect.any(Number) });
    expect(seqsOf(legacy, 'epoch')).toEqual(range(151, 200));

    // The current epoch resumes as usual.
    const current = await connect(a);
    const currentAnswer = await current.request('JOIN', { room: 'epoch', since: 190, epoch: newEpoch }, 'JOINED');
    expect(currentAnswer.data).toEqual({ room: 'epoch', seq: 200, epoch: newEpoch, online: expect.any(Number) });
    expect(seqsOf(current, 'epoch')).toEqual(range(191, 200));
  });

  it('a room whose keys vanished while its viewers stayed (expired) goes on live from the new seqs', async () => {
    const viewer = await connect(a);
    await viewer.join('vanish');
    await publish('vanish', 10);
    await vi.waitFor(() => expect(seqsOf(viewer, 'vanish')).toEqual(range(1, 10)));
    const tag = `${prefix}{vanish}`;
    redisCli(redis.port, 'DEL', `${tag}:seq`, `${tag}:hist`, `${tag}:epoch`);
    expect(await publish('vanish', 3, 'new')).toEqual([1, 2, 3]);
    await vi.waitFor(() => expect(seqsOf(viewer, 'vanish')).toEqual([...range(1, 10), 1, 2, 3]));
    await publish('vanish', 1);
    await vi.waitFor(() => expect(seqsOf(viewer, 'vanish')).toEqual([...range(1, 10), 1, 2, 3, 4]));
  });
});

/**
 * On a Redis Cluster, ioredis re-opens a sharded subscriber connection on its own, without
 * an event: the process notices the gap at the room's next live item and fills it then.
 */
describe('a process fills its own gaps on a Redis Cluster', { timeout: 60_000 }, () => {
  let cluster: OwnRedisCluster;
  let a: RunningServer;
  let b: RunningServer;
  const prefix = uniquePrefix('gapfill-cluster');
  const viewers: Viewer[] = [];

  beforeAll(async () => {
    cluster = await OwnRedisCluster.start(3, { users: ['a', 'b'] });
    const env = { REDIS_CLUSTER: 'true', REDIS_PREFIX: prefix, REDIS_TIMEOUT_MS: '500', BATCH_WINDOW_MS: '50', BATCH_MAX_ITEMS: '1000' };
    [a, b] = await Promise.all([startServer({ ...env, REDIS_URL: cluster.urlFor('a') }), startServer({ ...env, REDIS_URL: cluster.urlFor('b') })]);
  });
  afterAll(async () => {
    for (const viewer of viewers) viewer.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await cluster?.stop();
  });

  it('after its sharded subscriber is cut (CLIENT KILL TYPE pubsub), the viewer gets everything, in order, once', async () => {
    const viewer = await Viewer.connect(a.ws);
    viewers.push(viewer);
    await viewer.join('sharded');
    const publishOne = async (text: string) => {
      const answer = await eventually(async () => {
        const posted = await postJson(b.http, roomPath('sharded') + '/comments', { text });
        return posted.status === 202 ? posted : undefined;
      }, 15_000);
      return answer!.body.seq as number;
    };
    for (let i = 0; i < 10; i++) await publishOne(`before${i}`);
    await vi.waitFor(() => expect(viewer.itemsIn('sharded')).toHaveLength(10));

    // A cannot subscribe again until let in; its command connections stay, so it stays up.
    cluster.lockOut('a');
    redisCli(cluster.ownerOf(`${prefix}{sharded}:ch`), 'CLIENT', 'KILL', 'TYPE', 'pubsub');
    let last = 0;
    for (let i = 0; i < 20; i++) last = await publishOne(`missed${i}`);
    expect(viewer.itemsIn('sharded')).toHaveLength(10);
    cluster.letIn('a');
    // Published until one reaches A live: that one shows the jump, and the fill comes first.
    await eventually(async () => {
      last = await publishOne('after');
      return viewer.itemsIn('sharded').some((item) => item.seq === last);
      // ioredis re-subscribes a cut sharded subscriber at its own pace (its slot refreshes).
    }, 40_000, 200);
    expect(viewer.itemsIn('sharded').map((item) => item.seq)).toEqual(range(1, last));
  });
});
