import { postJson } from '../support/http.js';
import { type RunningServer, startServer } from '../support/server.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../redis/redis-support.js';
import { WatchedClient } from './client-harness.js';

const publish = async (server: RunningServer, room: string, ...texts: string[]) => {
  const answer = await postJson(server.http, `/rooms/${room}/comments/batch`, { items: texts.map((text) => ({ text })) });
  expect(answer.status).toBe(202);
};

// The history lives in Redis, so it outlives the server process the client is connected
// to: after a restart the client resumes every room with since and gets exactly what it missed.
describe('@danmaku-nest/client across a server restart', () => {
  const env = { REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: uniquePrefix('client-restart'), BATCH_WINDOW_MS: '20' };
  let server: RunningServer;
  /** Another process on the same Redis: publishes while the client's server is down. */
  let other: RunningServer;
  let viewer: WatchedClient;

  beforeAll(async () => {
    [server, other] = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    viewer?.close();
    await Promise.all([server?.stop(), other?.stop()]);
  });

  it('reconnects by itself, re-JOINs every room with since, and gets what it missed once, with no duplicates', async () => {
    viewer = new WatchedClient({ url: server.ws, rooms: ['red', 'blue'], backoff: { baseMs: 100, capMs: 1000 } });
    viewer.client.connect();
    await viewer.reach('live');
    await publish(server, 'red', 'r1', 'r2', 'r3');
    await publish(server, 'blue', 'b1', 'b2');
    await vi.waitFor(() => expect(viewer.items).toHaveLength(5));

    const port = server.port;
    await server.stop();
    await viewer.reach('waiting');
    // Shutting down, the server closes every connection with 1012 (then the client's attempts are refused until it is back).
    expect(viewer.closed[0]).toEqual({ code: 1012, reason: expect.any(String) });
    await publish(other, 'red', 'r4', 'r5');
    await publish(other, 'blue', 'b3');
    server = await startServer(env, port);

    await viewer.reach('live', 15_000);
    await vi.waitFor(() => expect(viewer.items).toHaveLength(8));
    expect(viewer.seqs('red')).toEqual([1, 2, 3, 4, 5]);
    expect(viewer.texts('red')).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(viewer.seqs('blue')).toEqual([1, 2, 3]);
    expect(viewer.items.filter((i) => i.context.replay).map((i) => (i.item as { text: string }).text)).toEqual(['r4', 'r5', 'b3']);
    const rejoins = viewer.sent.filter((f) => f.type === 'JOIN').slice(2);
    expect(rejoins.map((f) => f.data)).toEqual([
      { room: 'red', since: 3, epoch: expect.any(String) },
      { room: 'blue', since: 2, epoch: expect.any(String) },
    ]);
    expect(viewer.joined.slice(2).map((j) => [j.room, j.seq, j.resumed, j.gap, j.historyLost])).toEqual([
      ['red', 5, true, false, false],
      ['blue', 3, true, false, false],
    ]);

    // And live again: one more comment, once.
    await publish(server, 'red', 'r6');
    await vi.waitFor(() => expect(viewer.seqs('red')).toEqual([1, 2, 3, 4, 5, 6]));
  }, 40_000);

  it('after a restart that lost the history (a server on memory), takes everything replayed as new and reports the gap', async () => {
    const memory = await startServer({ BATCH_WINDOW_MS: '20' });
    const forgetful = new WatchedClient({ url: memory.ws, rooms: ['fresh'], backoff: { baseMs: 100, capMs: 1000 } });
    const gaps: string[] = [];
    forgetful.client.on('gap', ({ room }) => gaps.push(room));
    let restarted: RunningServer | undefined;
    try {
      forgetful.client.connect();
      await forgetful.reach('live');
      await publish(memory, 'fresh', 'old 1', 'old 2', 'old 3');
      await vi.waitFor(() => expect(forgetful.items).toHaveLength(3));
      await memory.stop();
      await forgetful.reach('waiting');
      restarted = await startServer({ BATCH_WINDOW_MS: '20' }, memory.port);
      await publish(restarted, 'fresh', 'new 1');
      await forgetful.reach('live', 15_000);
      // Published either before the re-JOIN (replayed, seq 1 < since 3) or after it (live).
      await vi.waitFor(() => expect(forgetful.texts('fresh')).toEqual(['old 1', 'old 2', 'old 3', 'new 1']));
      const rejoined = forgetful.joined.at(-1);
      expect(rejoined).toMatchObject({ room: 'fresh', resumed: true, historyLost: true, gap: true });
      expect(gaps).toEqual(['fresh']);
      expect(forgetful.client.roomStatus()[0].lastSeq).toBe(1);
    } finally {
      forgetful.close();
      await restarted?.stop();
    }
  }, 40_000);
});
