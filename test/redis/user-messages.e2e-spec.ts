import { SignJWT } from 'jose';
import { postJson } from '../support/http.js';
import { type RunningServer, startServer } from '../support/server.js';
import { type Frame, Viewer, eventually } from '../support/viewer.js';
import { OwnRedisCluster, redisCli, SHARED_REDIS_URL, uniquePrefix } from './redis-support.js';

const SECRET = 'viewer-secret-for-tests';
const key = new TextEncoder().encode(SECRET);
const tokenFor = (sub: string) => new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).sign(key);
const userPath = (user: string) => `/users/${encodeURIComponent(user)}/messages`;
const isUserPush = (frame: Frame) => frame.type === 'PUSH' && frame.data.room === null && 'to' in frame.data;

interface Deployment {
  a: RunningServer;
  b: RunningServer;
  /** How many processes are subscribed to the user's channel right now, as Redis counts them. */
  subscribers(user: string): number;
}

/**
 * The same story on a single Redis (PUBLISH) and on a Redis Cluster (SPUBLISH): a user
 * connected on A and on B gets a message POSTed to B on every tab, another user on A gets
 * none of it, and a process gives the user's channel up with the user's last connection.
 */
function userMessagesAcross(deployment: () => Deployment) {
  const viewers: Viewer[] = [];
  const connectAs = async (server: RunningServer, user: string, options: { perMessageDeflate?: boolean } = {}) => {
    const viewer = await Viewer.connect(`${server.ws}?token=${await tokenFor(user)}`, options);
    viewers.push(viewer);
    return viewer;
  };
  afterAll(() => {
    for (const viewer of viewers) viewer.close();
  });

  it('reaches every tab of the user on every process, and no other user', async () => {
    const { a, b, subscribers } = deployment();
    const aliceOnA = [await connectAs(a, 'alice'), await connectAs(a, 'alice', { perMessageDeflate: false })];
    const aliceOnB = await connectAs(b, 'alice');
    const bobOnA = await connectAs(a, 'bob');
    // Each process subscribes once per user, however many tabs; a push needs the subscriptions in place.
    await eventually(() => subscribers('alice') === 2 && subscribers('bob') === 1);

    const answer = await postJson(b.http, userPath('alice'), { text: 'from B', color: '#00ff00' });
    expect(answer.status).toBe(202);
    const expected = {
      room: null,
      to: 'alice',
      items: [{ id: answer.body.id, room: null, text: 'from B', color: '#00ff00', mode: 'scroll', ts: expect.any(Number) }],
    };
    for (const tab of [...aliceOnA, aliceOnB]) expect((await tab.next(isUserPush)).data).toEqual(expected);

    // Bob's own message, published after Alice's through the same Redis, is the only one he gets.
    const own = await postJson(b.http, userPath('bob'), { text: 'for bob' });
    expect((await bobOnA.next(isUserPush)).data).toMatchObject({ to: 'bob', items: [{ id: own.body.id, text: 'for bob' }] });
    expect(bobOnA.frames.filter((frame) => frame.type === 'PUSH')).toHaveLength(1);
  });

  it('gives the user channel up with the user’s last connection on a process, and answers 202 with nobody there', async () => {
    const { a, b, subscribers } = deployment();
    const tabs = [await connectAs(a, 'carol'), await connectAs(a, 'carol')];
    await eventually(() => subscribers('carol') === 1);
    tabs[0].close();
    await tabs[0].closed;
    expect(subscribers('carol')).toBe(1);
    tabs[1].close();
    await tabs[1].closed;
    await eventually(() => subscribers('carol') === 0);
    const answer = await postJson(b.http, userPath('carol'), { text: 'nobody home' });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ id: expect.any(String) });
  });
}

describe('POST /users/:user/messages on two processes sharing one Redis', () => {
  let a: RunningServer;
  let b: RunningServer;
  const prefix = uniquePrefix('users');
  const sharedPort = Number(new URL(SHARED_REDIS_URL).port || 6379);

  beforeAll(async () => {
    const env = { REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: prefix, VIEWER_TOKEN_SECRET: SECRET };
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  userMessagesAcross(() => ({
    a,
    b,
    subscribers: (user) => Number(redisCli(sharedPort, 'pubsub', 'numsub', `${prefix}{*user:${user}}:ch`).split('\n')[1]),
  }));
});

describe('POST /users/:user/messages on two processes sharing a Redis Cluster (sharded pub/sub)', () => {
  let cluster: OwnRedisCluster;
  let a: RunningServer;
  let b: RunningServer;
  const prefix = uniquePrefix('cluster-users');
  const channel = (user: string) => `${prefix}{*user:${user}}:ch`;

  beforeAll(async () => {
    cluster = await OwnRedisCluster.start(3);
    const env = { REDIS_URL: cluster.url, REDIS_CLUSTER: 'true', REDIS_PREFIX: prefix, REDIS_TIMEOUT_MS: '500', VIEWER_TOKEN_SECRET: SECRET };
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await cluster?.stop();
  });

  userMessagesAcross(() => ({
    a,
    b,
    subscribers: (user) => {
      const owner = cluster.ownerOf(channel(user));
      // Subscribed on the shard that owns the channel's slot, and on no other.
      for (const node of cluster.nodes) {
        if (node.port === owner) continue;
        const elsewhere = Number(redisCli(node.port, 'pubsub', 'shardnumsub', channel(user)).split('\n')[1]);
        if (elsewhere !== 0) throw new Error(`${channel(user)} subscribed on ${node.port}, which does not own it`);
      }
      return Number(redisCli(owner, 'pubsub', 'shardnumsub', channel(user)).split('\n')[1]);
    },
  }));
});
