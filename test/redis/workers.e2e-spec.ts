import { request } from 'node:http';
import { postJson, roomPath } from '../support/http.js';
import { type RunningServer, startFailing, startServer } from '../support/server.js';
import { Viewer, eventually } from '../support/viewer.js';
import { OwnRedis, SHARED_REDIS_URL, freePort, uniquePrefix } from './redis-support.js';

/** GET on a new TCP connection each time, so node:cluster may hand it to any worker. */
function getFreshText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

const getFresh = async (url: string): Promise<any> => JSON.parse(await getFreshText(url));

/** The value of one series of a Prometheus text answer (`name` with its labels, as printed). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no ${series} in /metrics`);
  return Number(line.slice(series.length + 1));
}

/** The status of a GET on a new TCP connection (any worker may answer). */
function getStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

/** Pids of the workers that logged that they listen (Nest prints the pid on every line). */
function listeningPids(server: RunningServer): number[] {
  return [...server.output().matchAll(/\[Nest\] (\d+) .*listening on/g)].map((match) => Number(match[1]));
}

describe('WORKERS: one port, several processes', () => {
  it('refuses WORKERS > 1 without REDIS_URL at start-up', async () => {
    const { code, output } = await startFailing({ WORKERS: '2' });
    expect(code).toBe(1);
    expect(output).toContain('WORKERS=2 (2 processes) needs REDIS_URL');
    expect(output).not.toContain('listening');
  });

  it('stops the primary and every worker, exiting non-zero, when the workers cannot reach Redis', async () => {
    const port = await freePort();
    const { code, output } = await startFailing({ WORKERS: '2', REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_TIMEOUT_MS: '300' });
    expect(code).toBe(1);
    expect(output).toContain('Redis is unreachable');
    expect(output).toMatch(/worker \d+ exited during start-up/);
    expect(output).not.toContain('listening');
  });

  it('once serving, a replacement that cannot reach Redis is retried with backoff while the other worker keeps serving', async () => {
    const redis = await OwnRedis.start();
    const server = await startServer({ WORKERS: '2', REDIS_URL: redis.url, REDIS_TIMEOUT_MS: '300' });
    try {
      await eventually(() => listeningPids(server).length === 2, 15_000);
      const [victim, survivor] = listeningPids(server);
      await redis.kill();
      process.kill(victim, 'SIGKILL');
      // The replacement exits during its start-up (Redis unreachable): retried, not a stop.
      await eventually(() => /worker \d+ exited|died \(code 1\): restarting in/.test(server.output().split(`worker ${victim} died`)[1] ?? ''), 15_000);
      expect(server.output()).not.toContain('exited during start-up');
      // The surviving worker still answers, and tells the truth about Redis.
      const health = await getStatus(`${server.http}/healthz`);
      expect(health).toBe(503);
      expect(listeningPids(server)).toContain(survivor);
      await redis.restart();
      await eventually(() => listeningPids(server).length === 3, 20_000);
    } finally {
      await server.stop();
      await redis.stop();
    }
  }, 45_000);

  describe('WORKERS=2 with Redis', () => {
    let server: RunningServer;
    const viewers: Viewer[] = [];
    beforeAll(async () => {
      server = await startServer({
        WORKERS: '2',
        REDIS_URL: SHARED_REDIS_URL,
        REDIS_PREFIX: uniquePrefix('workers'),
        BATCH_WINDOW_MS: '50',
        ONLINE_INTERVAL_MS: '200',
      });
      await eventually(() => listeningPids(server).length === 2, 15_000);
    });
    afterAll(async () => {
      for (const viewer of viewers) viewer.close();
      await server.stop();
    });

    it('spreads viewers over both workers, and each viewer receives every comment', async () => {
      for (let i = 0; i < 6; i++) {
        const viewer = await Viewer.connect(server.ws);
        await viewer.join('spread');
        viewers.push(viewer);
      }
      // /stats has each worker's count: both hold some of the six viewers.
      const counts = (await getFresh(`${server.http}/stats`)).workers.map((worker: { connections: number }) => worker.connections);
      expect(counts).toHaveLength(2);
      expect(Math.min(...counts)).toBeGreaterThan(0);
      expect(counts[0] + counts[1]).toBe(6);
      await eventually(async () => (await getFresh(`${server.http}${roomPath('spread')}`)).online === 6);

      for (let i = 0; i < 5; i++) {
        expect((await postJson(server.http, roomPath('spread') + '/comments', { text: `c${i}` })).status).toBe(202);
      }
      for (const viewer of viewers) {
        await vi.waitFor(() => expect(viewer.itemsIn('spread').map((item) => item.text)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']));
      }
      expect(new Set(viewers.flatMap((viewer) => viewer.itemsIn('spread').map((item) => item.seq)))).toEqual(new Set([1, 2, 3, 4, 5]));
    });

    it('answers /stats and /metrics for both workers together, whichever worker is asked', async () => {
      const room = 'totals';
      for (let i = 0; i < 4; i++) {
        const viewer = await Viewer.connect(server.ws);
        await viewer.join(room);
        viewers.push(viewer);
      }
      const before = await getFresh(`${server.http}/stats`);
      for (let i = 0; i < 4; i++) {
        expect((await postJson(server.http, roomPath(room) + '/comments', { text: `t${i}` })).status).toBe(202);
      }
      for (const viewer of viewers.slice(-4)) {
        await vi.waitFor(() => expect(viewer.itemsIn(room)).toHaveLength(4));
      }
      // The viewers of this room sit on both workers, and each worker wrote them frames.
      const workers = before.workers as { worker: number; connections: number }[];
      expect(workers).toHaveLength(2);
      expect(workers.every((worker) => worker.connections > 0)).toBe(true);
      expect(before.workersMissing).toBe(0);

      // Fresh connections land on either worker; every answer holds the same totals.
      const open = viewers.length;
      await eventually(async () => (await getFresh(`${server.http}/stats`)).commentsIn === before.commentsIn + 4);
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await getFresh(`${server.http}/stats`));
      for (const stats of answers) {
        expect(stats.connections).toBe(open);
        expect(stats.workers.map((worker: { connections: number }) => worker.connections).reduce((a: number, b: number) => a + b)).toBe(open);
        expect(stats.commentsIn).toBe(before.commentsIn + 4);
        // ONLINE frames keep coming; batches are PUSH frames' alone.
        expect(stats.batches).toBe(answers[0].batches);
        expect(stats.framesOut).toBeGreaterThanOrEqual(before.framesOut + 4);
      }
      expect(new Set(answers.map((stats) => JSON.stringify(stats.workers.map((w: { pid: number }) => w.pid)))).size).toBe(1);
      // node:cluster hands fresh connections out in turn: both workers gave those same totals.
      expect(new Set(answers.map((stats) => stats.answeredBy))).toEqual(new Set(workers.map(({ worker }) => worker)));

      for (let i = 0; i < 6; i++) {
        const metrics = await getFreshText(`${server.http}/metrics`);
        expect(sample(metrics, 'danmaku_connections')).toBe(open);
        expect(sample(metrics, 'danmaku_comments_in_total')).toBe(before.commentsIn + 4);
        expect(sample(metrics, 'danmaku_frames_out_total')).toBeGreaterThanOrEqual(answers[0].framesOut);
        expect(sample(metrics, 'danmaku_broker_up')).toBe(1);
        // Per-process series stay apart by worker; the batch histograms are summed.
        for (const { worker } of workers) {
          expect(sample(metrics, `danmaku_event_loop_delay_seconds_count{worker="${worker}"}`)).toBeGreaterThan(0);
          expect(sample(metrics, `nodejs_heap_size_used_bytes{worker="${worker}"}`)).toBeGreaterThan(0);
        }
        expect(sample(metrics, 'danmaku_batch_items_count')).toBe(answers[0].batches);
        expect(sample(metrics, 'danmaku_publish_to_write_seconds_count')).toBeGreaterThan(0);
        expect(sample(metrics, 'danmaku_fan_out_seconds_count')).toBe(sample(metrics, 'danmaku_publish_to_write_seconds_count'));
      }
    });

    it('restarts a worker that dies; its viewers reconnect and resume', async () => {
      const room = 'phoenix';
      const group: Viewer[] = [];
      for (let i = 0; i < 4; i++) {
        const viewer = await Viewer.connect(server.ws);
        await viewer.join(room);
        group.push(viewer);
      }
      await postJson(server.http, roomPath(room) + '/comments', { text: 'one' });
      for (const viewer of group) await viewer.next('PUSH');

      const [victim] = listeningPids(server);
      process.kill(victim, 'SIGKILL');
      await eventually(() => server.output().includes(`worker ${victim} died`));
      // The victim's viewers are closed (1006); the others still answer PING.
      const answered = await Promise.all(group.map((viewer) => viewer.request('PING', {}, 'PONG').then(() => true, () => false)));
      const lost = group.filter((_, i) => !answered[i]);
      expect(lost.length).toBeGreaterThan(0);
      expect(lost.length).toBeLessThan(group.length);
      for (const viewer of lost) expect((await viewer.closed).code).toBe(1006);
      // The replacement listens under a new pid.
      await eventually(() => listeningPids(server).length === 3, 15_000);
      expect(listeningPids(server).slice(-1)[0]).not.toBe(victim);

      // Published while those viewers were away; a JOIN with since brings it back.
      await postJson(server.http, roomPath(room) + '/comments/batch', { items: [{ text: 'two' }, { text: 'three' }] });
      for (const old of lost) {
        const since = Math.max(...old.itemsIn(room).map((item) => item.seq));
        const viewer = await Viewer.connect(server.ws);
        viewers.push(viewer);
        const joined = await viewer.join(room, since);
        expect(joined.data).toMatchObject({ room, seq: 3 });
        expect(viewer.itemsIn(room).map((item) => item.text)).toEqual(['two', 'three']);
      }
      for (const viewer of group.filter((v) => !lost.includes(v))) {
        await vi.waitFor(() => expect(viewer.itemsIn(room).map((item) => item.text)).toEqual(['one', 'two', 'three']));
        viewers.push(viewer);
      }
    });

    it('on SIGTERM, every worker drains with 1012 and the primary exits 0', async () => {
      const group: Viewer[] = [];
      for (let i = 0; i < 4; i++) {
        const viewer = await Viewer.connect(server.ws);
        await viewer.join('bye');
        group.push(viewer);
      }
      const exit = server.stop('SIGTERM');
      const codes = await Promise.all(group.map((viewer) => viewer.closed.then((closed) => closed.code)));
      expect(codes).toEqual([1012, 1012, 1012, 1012]);
      expect(await exit).toBe(0);
      expect(server.output()).toContain('SIGTERM: draining 2 workers');
    });
  });
});
