import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get, postJson, roomPath } from '../support/http.js';
import { postOnce } from '../support/idempotent-post.js';
import { type RunningServer, startServer } from '../support/server.js';
import { Viewer } from '../support/viewer.js';
import { SHARED_REDIS_URL, redisCli, uniquePrefix } from './redis-support.js';

// With Redis the key is stored by the publish script itself: a repeat on any process
// sharing the Redis answers the first answer and publishes nothing.
describe('Idempotency-Key with two processes sharing one Redis', () => {
  let a: RunningServer;
  let b: RunningServer;
  let viewer: Viewer;
  const prefix = uniquePrefix('once');
  const dir = mkdtempSync(join(tmpdir(), 'danmaku-once-'));
  const env = {
    REDIS_URL: SHARED_REDIS_URL,
    REDIS_PREFIX: prefix,
    BATCH_WINDOW_MS: '20',
    IDEMPOTENCY_TTL_S: '120',
    // A comment filter: a repeat is then looked up before the filters run.
    SENSITIVE_WORDS_FILE: join(dir, 'words.txt'),
    SENSITIVE_WORDS_MODE: 'reject',
  };

  beforeAll(async () => {
    writeFileSync(join(dir, 'words.txt'), 'forbidden\n');
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
    viewer = await Viewer.connect(a.ws);
  });
  afterAll(async () => {
    viewer.close();
    await Promise.all([a.stop(), b.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const seqOf = async (room: string) => (await get(a.http, roomPath(room))).body.seq;

  async function itemsUpToMarker(room: string): Promise<string[]> {
    const marker = `marker ${randomUUID()}`;
    await postJson(b.http, roomPath(room) + '/comments', { text: marker });
    await vi.waitFor(() => expect(viewer.itemsIn(room).map((item) => item.text)).toContain(marker));
    return viewer.itemsIn(room).map((item) => item.text).filter((text) => text !== marker);
  }

  it('publishes once for concurrent requests with one key on both processes, all answered alike', async () => {
    await viewer.join('raced');
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => postOnce(i % 2 ? a.http : b.http, '/rooms/raced/comments/batch', key, { items: [{ text: 'r1' }, { text: 'r2' }] })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(202));
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    expect(answers[0].body).toEqual({ accepted: 2, firstSeq: 1, lastSeq: 2 });
    expect(await seqOf('raced')).toBe(2);
    expect(await itemsUpToMarker('raced')).toEqual(['r1', 'r2']);
  });

  it('answers a repeat on the other process with the first {id, seq}, and keeps the key under the room tag for IDEMPOTENCY_TTL_S', async () => {
    await viewer.join('retried');
    const key = randomUUID();
    const first = await postOnce(a.http, '/rooms/retried/comments', key, { text: 'retried once' });
    // Another body, one the filters would refuse: the first answer all the same.
    const repeat = await postOnce(b.http, '/rooms/retried/comments?via=nest', key, { text: 'forbidden' });
    expect(first.body).toEqual({ id: expect.any(String), seq: 1 });
    expect(repeat.status).toBe(202);
    expect(repeat.text).toBe(first.text);
    const ttl = Number(redisCli(Number(new URL(SHARED_REDIS_URL).port || 6379), 'TTL', `${prefix}{retried}:once:comments:${key}`));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120);
    expect(await itemsUpToMarker('retried')).toEqual(['retried once']);
  });

  it('answers repeated broadcasts and go-push items with the first answer, delivering them once', async () => {
    await viewer.join('pushed');
    const key = randomUUID();
    const broadcast = await Promise.all([a, b].map((server) => postOnce(server.http, '/broadcast', key, { text: `all ${key}` })));
    expect(broadcast[1].text).toBe(broadcast[0].text);
    const form = new URLSearchParams({ room: 'pushed', items: '[{"msg":"once"},{"msg":"twice?"}]' });
    const pushes = await Promise.all([a, b, a].map((server) => postOnce(server.http, '/push/room', key, form)));
    expect(pushes.map((answer) => answer.text)).toEqual(Array(3).fill('{"accepted":2}'));

    await postOnce(b.http, '/push/room', randomUUID(), new URLSearchParams({ room: 'pushed', items: '[{"msg":"end"}]' }));
    await vi.waitFor(() => expect(viewer.itemsIn('pushed')).toContainEqual({ msg: 'end' }));
    expect(viewer.itemsIn('pushed')).toEqual([{ msg: 'once' }, { msg: 'twice?' }, { msg: 'end' }]);
    await postJson(b.http, '/broadcast', { text: `end ${key}` });
    await vi.waitFor(() => expect(viewer.itemsIn(null).map((item) => item.text)).toContain(`end ${key}`));
    expect(viewer.itemsIn(null).filter((item) => item.text === `all ${key}`)).toHaveLength(1);
  });
});
