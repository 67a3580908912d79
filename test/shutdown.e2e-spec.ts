import { rawSocketOf } from '../src/sockets/socket-internals.js';
import { get, postJson } from './support/http.js';
import { startFailing, startServer } from './support/server.js';
import { Viewer } from './support/viewer.js';

describe('shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s delivers the pending batch, closes every connection with 1012, exits 0', async (signal) => {
    const server = await startServer({ BATCH_WINDOW_MS: '10000' });
    const viewers = await Promise.all([Viewer.connect(server.ws), Viewer.connect(server.ws)]);
    for (const viewer of viewers) await viewer.join('bye');
    await postJson(server.http, '/rooms/bye/comments', { text: 'leading edge' });
    for (const viewer of viewers) await viewer.next('PUSH');
    // Within the 10 s window: this one is waiting in the batch.
    await postJson(server.http, '/rooms/bye/comments', { text: 'pending' });
    expect(viewers[0].itemsIn('bye')).toHaveLength(1);

    const exit = server.stop(signal);
    for (const viewer of viewers) {
      const closed = await viewer.closed;
      expect(closed.code).toBe(1012);
      expect(viewer.itemsIn('bye').map((i) => i.text)).toEqual(['leading edge', 'pending']);
    }
    expect(await exit).toBe(0);
  });

  it('answers 503 on /healthz and refuses upgrades while draining', async () => {
    const server = await startServer({ BATCH_WINDOW_MS: '50' });
    const viewer = await Viewer.connect(server.ws);
    // A client that never answers the close frame keeps the server draining for a while.
    viewer.ws.on('close', () => undefined);
    rawSocketOf(viewer.ws).pause();
    server.process.kill('SIGTERM');
    await vi.waitFor(async () => expect((await get(server.http, '/healthz')).status).toBe(503));
    expect((await get(server.http, '/healthz')).body).toEqual({ status: 'draining' });
    expect(await server.stop()).toBe(0);
  });
});

describe('start-up configuration', () => {
  it.each([
    ['SHARDS', '3'],
    ['BATCH_WINDOW_MS', 'fast'],
    ['PORT', '70000'],
    ['SLOW_CONSUMER_BYTES', '10'],
  ])('exits non-zero naming %s=%s', async (name, value) => {
    const { code, output } = await startFailing({ [name]: value });
    expect(code).not.toBe(0);
    expect(output).toContain(`${name}="${value}"`);
    expect(output).not.toContain('listening');
  });
});
