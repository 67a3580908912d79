import { rawSocketOf } from '../src/sockets/socket-internals.js';
import { get, postJson } from './support/http.js';
import { type RunningServer, startServer } from './support/server.js';
import { Viewer } from './support/viewer.js';

/** Random characters of the CJK Unified Ideographs block: 14 bits each, which deflate cannot shorten much. */
const randomHan = (length: number) => String.fromCodePoint(...Array.from({ length }, () => 0x4e00 + Math.floor(Math.random() * 0x5000)));

describe('slow consumers', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      BATCH_WINDOW_MS: '0',
      BATCH_MAX_ITEMS: '1000',
      SLOW_CONSUMER_BYTES: '65536',
      SLOW_CONSUMER_MS: '300',
    });
  });
  afterAll(() => server.stop());

  it('skips whole batches for a member that stopped reading, then closes it with 1013, while another member gets every batch', async () => {
    const fast = await Viewer.connect(server.ws);
    const slow = await Viewer.connect(server.ws);
    await fast.join('slow');
    await slow.join('slow');
    // Stop reading: the server's unsent bytes for this member can only grow.
    rawSocketOf(slow.ws).pause();

    // ~620 KB per frame, ~440 KB deflated (ws clients offer compression, and a repeated
    // text would deflate to almost nothing): the kernel's loopback buffers hold a few MB
    // before the server's own queue grows.
    const items = Array.from({ length: 1000 }, (_, i) => ({ text: randomHan(200), user: `u${i}` }));
    let published = 0;
    const stats = async () => (await get(server.http, '/stats')).body;
    for (let round = 0; round < 200 && (await stats()).slowClosed === 0; round++) {
      const answer = await postJson(server.http, '/rooms/slow/comments/batch', { items });
      expect(answer.status).toBe(202);
      published = answer.body.lastSeq;
      await vi.waitFor(() => expect(fast.itemsIn('slow').at(-1)?.seq).toBe(published), { timeout: 10_000 });
    }
    const final = await stats();
    expect(final.slowClosed).toBe(1);
    expect(final.dropped).toBeGreaterThan(0);

    rawSocketOf(slow.ws).resume();
    expect((await slow.closed).code).toBe(1013);
    // Whole frames only: every frame the slow member did get parsed and was complete.
    expect(slow.frames.filter((f) => f.type === 'PUSH').every((f) => f.data.items.length === 1000)).toBe(true);
    const seqs = fast.itemsIn('slow').map((i) => i.seq);
    expect(seqs).toEqual(Array.from({ length: published }, (_, i) => i + 1));
    fast.close();
  }, 60_000);
});
