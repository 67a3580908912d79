import { get, postJson, roomPath } from '../support/http.js';
import { type RunningServer, startFailing, startServer } from '../support/server.js';
import { Viewer, eventually } from '../support/viewer.js';
import { OwnRedis, freePort, uniquePrefix } from './redis-support.js';

/** Health, stats and metrics as one snapshot of how the server sees its broker. */
async function brokerView(server: RunningServer) {
  const [health, stats, metrics] = await Promise.all([get(server.http, '/healthz'), get(server.http, '/stats'), get(server.http, '/metrics')]);
  return {
    health: health.status,
    reason: health.body?.reason as string | undefined,
    brokerUp: stats.body.brokerUp as boolean,
    gauge: /^danmaku_broker_up (\d)/m.exec(metrics.text)?.[1],
  };
}

describe('Redis faults', () => {
  it('exits non-zero at start, naming REDIS_URL, when Redis is unreachable', async () => {
    const port = await freePort();
    const { code, output } = await startFailing({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_TIMEOUT_MS: '500' });
    expect(code).toBe(1);
    expect(output).toContain(`REDIS_URL="redis://127.0.0.1:${port}": Redis is unreachable`);
    expect(output).not.toContain('listening');
  });

  describe('with a Redis of its own', () => {
    let redis: OwnRedis;
    let server: RunningServer;
    beforeAll(async () => {
      redis = await OwnRedis.start();
      server = await startServer({
        REDIS_URL: redis.url,
        REDIS_PREFIX: uniquePrefix('faults'),
        REDIS_TIMEOUT_MS: '500',
        BATCH_WINDOW_MS: '50',
      });
    });
    afterAll(async () => {
      await server?.stop();
      await redis?.stop();
    });

    it('stays up through a Redis kill and restart: 503s while down, viewers kept, subscriptions restored', async () => {
      const viewer = await Viewer.connect(server.ws);
      await viewer.join('outage');
      await postJson(server.http, roomPath('outage') + '/comments', { text: 'before' });
      await viewer.next('PUSH');
      expect(await brokerView(server)).toEqual({ health: 200, reason: undefined, brokerUp: true, gauge: '1' });

      await redis.kill();
      const down = await eventually(async () => {
        const view = await brokerView(server);
        return view.health === 503 ? view : undefined;
      });
      expect(down).toMatchObject({ brokerUp: false, gauge: '0', reason: expect.stringMatching(/Redis|connect/) });
      const refused = await postJson(server.http, roomPath('outage') + '/comments', { text: 'while down' });
      expect(refused.status).toBe(503);
      expect(refused.body.message).toMatch(/broker unavailable/);
      // The viewer is still connected and answered; its own comments are refused, not lost silently.
      expect((await viewer.request('PING', {}, 'PONG')).type).toBe('PONG');
      const error = await viewer.request('COMMENT', { room: 'outage', text: 'ws while down', cid: 'c1' }, 'ACK');
      expect(error.data).toMatchObject({ code: 'UNAVAILABLE', ref: 'COMMENT', cid: 'c1', message: expect.stringMatching(/broker unavailable/) });
      // A JOIN refused for the outage leaves the viewer out of the room it was refused.
      const refusedJoin = await viewer.request('JOIN', { room: 'elsewhere' }, 'JOINED');
      expect(refusedJoin.data).toMatchObject({ code: 'UNAVAILABLE', ref: 'JOIN' });
      expect((await get(server.http, '/stats')).body.rooms).toBe(1);

      await redis.restart();
      await eventually(async () => (await brokerView(server)).health === 200, 15_000);
      expect(await brokerView(server)).toEqual({ health: 200, reason: undefined, brokerUp: true, gauge: '1' });
      // A Redis without persistence comes back empty: seqs start again.
      const after = await postJson(server.http, roomPath('outage') + '/comments', { text: 'after' });
      expect(after).toMatchObject({ status: 202, body: { seq: 1 } });
      const frame = await viewer.next('PUSH');
      expect(frame.data.items.map((i: any) => i.text)).toEqual(['after']);
      expect(viewer.itemsIn('outage').map((i) => i.text)).toEqual(['before', 'after']);
      viewer.close();
    });

    it('notices a Redis that stops answering (SIGSTOP) within seconds, and recovers on SIGCONT', async () => {
      const viewer = await Viewer.connect(server.ws);
      await viewer.join('stalled');
      await eventually(async () => (await brokerView(server)).health === 200, 15_000);

      const stoppedAt = Date.now();
      redis.pause();
      try {
        await eventually(async () => (await get(server.http, '/healthz')).status === 503, 10_000);
        const detectedIn = Date.now() - stoppedAt;
        expect(detectedIn).toBeLessThan(5000);
        expect((await get(server.http, '/healthz')).body.reason).toMatch(/PING|Redis/);
        const refused = await postJson(server.http, roomPath('stalled') + '/comments', { text: 'stalled' });
        expect(refused.status).toBe(503);
        // Still silent: the open connections are dropped and re-opened (to a stopped Redis).
        await eventually(() => server.output().includes('Redis stopped answering: reconnecting'), 10_000);
        expect((await get(server.http, '/healthz')).status).toBe(503);
      } finally {
        redis.resume();
      }
      await eventually(async () => (await get(server.http, '/healthz')).status === 200, 15_000);
      const answer = await postJson(server.http, roomPath('stalled') + '/comments', { text: 'resumed' });
      expect(answer.status).toBe(202);
      await viewer.next((f) => f.type === 'PUSH' && f.data.items.some((i: any) => i.text === 'resumed'));
      expect(viewer.itemsIn('stalled').map((i) => i.text)).toContain('resumed');
      viewer.close();
    });
  });
});
