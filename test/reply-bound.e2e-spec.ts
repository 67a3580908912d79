import { rawSocketOf } from '../src/sockets/socket-internals.js';
import { get } from './support/http.js';
import { type RunningServer, startServer } from './support/server.js';
import { Viewer } from './support/viewer.js';

describe('answers to a client that does not read', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ SLOW_CONSUMER_BYTES: '65536', SLOW_CONSUMER_MS: '300', MAX_PAYLOAD: '4096' });
  });
  afterAll(() => server.stop());

  it('are bounded like batches: skipped over the bound, and the connection closed with 1013, in no room at all', async () => {
    const viewer = await Viewer.connect(server.ws);
    rawSocketOf(viewer.ws).pause();
    // Each unknown type is echoed in its ERROR: ~3.6 KB answered per 3.6 KB sent.
    const frame = JSON.stringify({ type: 'X'.repeat(1800), data: {} });
    const stats = async () => (await get(server.http, '/stats')).body;
    for (let round = 0; round < 400 && (await stats()).slowClosed === 0; round++) {
      for (let i = 0; i < 100; i++) viewer.sendRaw(frame);
      await new Promise<void>((resolve) => viewer.ws.send('{"type":"PING"}', () => resolve()));
    }
    const final = await stats();
    expect(final.slowClosed).toBe(1);
    expect(final.dropped).toBeGreaterThan(0);
    rawSocketOf(viewer.ws).resume();
    expect((await viewer.closed).code).toBe(1013);
  }, 60_000);
});
