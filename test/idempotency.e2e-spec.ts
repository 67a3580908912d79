import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get, postJson, roomPath } from './support/http.js';
import { postOnce } from './support/idempotent-post.js';
import { type RunningServer, startServer } from './support/server.js';
import { Viewer } from './support/viewer.js';

// PROTOCOL.md section 8: a repeat of an Idempotency-Key answers the first answer again and
// publishes nothing. In-memory broker; the Redis broker has its own spec.
describe('Idempotency-Key on the POST routes (memory broker)', () => {
  let server: RunningServer;
  let viewer: Viewer;
  beforeAll(async () => {
    server = await startServer({ BATCH_WINDOW_MS: '20' });
    viewer = await Viewer.connect(server.ws);
  });
  afterAll(async () => {
    viewer.close();
    await server.stop();
  });

  const seqOf = async (room: string) => (await get(server.http, roomPath(room))).body.seq;

  /** Everything the viewer got in the room, up to a marker published after the calls under test. */
  async function itemsUpToMarker(room: string): Promise<string[]> {
    const marker = `marker ${randomUUID()}`;
    await postJson(server.http, roomPath(room) + '/comments', { text: marker });
    await vi.waitFor(() => expect(viewer.itemsIn(room).map((item) => item.text)).toContain(marker));
    return viewer.itemsIn(room).map((item) => item.text).filter((text) => text !== marker);
  }

  it('answers a repeated comment with the first answer, whatever its body, and publishes it once', async () => {
    await viewer.join('once-single');
    const key = randomUUID();
    const first = await postOnce(server.http, '/rooms/once-single/comments', key, { text: 'only once' });
    const repeat = await postOnce(server.http, '/rooms/once-single/comments', key, { text: 'only once' });
    const otherBody = await postOnce(server.http, '/rooms/once-single/comments', key, { text: 'another body' });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ id: expect.any(String), seq: 1 });
    for (const answer of [repeat, otherBody]) {
      expect(answer.status).toBe(202);
      expect(answer.text).toBe(first.text);
    }
    expect(await seqOf('once-single')).toBe(1);
    expect(await itemsUpToMarker('once-single')).toEqual(['only once']);
  });

  it('answers a repeated batch with the same {accepted, firstSeq, lastSeq}, through Nest as through the direct route', async () => {
    await viewer.join('once-batch');
    await postJson(server.http, roomPath('once-batch') + '/comments', { text: 'before' });
    const key = randomUUID();
    const items = [{ text: 'b1' }, { text: 'b2' }, { text: 'b3' }];
    const direct = await postOnce(server.http, '/rooms/once-batch/comments/batch', key, { items });
    // A query string leaves the request to the Nest controller.
    const nest = await postOnce(server.http, '/rooms/once-batch/comments/batch?via=nest', key, { items });
    expect(direct.status).toBe(202);
    expect(direct.body).toEqual({ accepted: 3, firstSeq: 2, lastSeq: 4 });
    expect(nest.headers.has('etag')).toBe(true);
    expect(nest.status).toBe(202);
    expect(nest.body).toEqual(direct.body);
    expect(await seqOf('once-batch')).toBe(4);
    expect(await itemsUpToMarker('once-batch')).toEqual(['before', 'b1', 'b2', 'b3']);
  });

  it('publishes once for many concurrent requests with one key', async () => {
    await viewer.join('once-concurrent');
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postOnce(server.http, `/rooms/once-concurrent/comments${i % 2 ? '?via=nest' : ''}`, key, { text: 'raced' }),
      ),
    );
    expect(new Set(answers.map((answer) => `${answer.status} ${answer.text}`)).size).toBe(1);
    expect(answers[0].body).toMatchObject({ seq: 1 });
    expect(await itemsUpToMarker('once-concurrent')).toEqual(['raced']);
  });

  it('keeps keys per room: the same key in another room publishes there', async () => {
    const key = randomUUID();
    const a = await postOnce(server.http, '/rooms/once-room-a/comments', key, { text: 'a' });
    const b = await postOnce(server.http, '/rooms/once-room-b/comments', key, { text: 'b' });
    expect(a.body.id).not.toBe(b.body.id);
    expect([await seqOf('once-room-a'), await seqOf('once-room-b')]).toEqual([1, 1]);
  });

  it('answers a repeated broadcast with the first {id} and delivers it once', async () => {
    await viewer.join('once-broadcast');
    const key = randomUUID();
    const text = `broadcast ${key}`;
    const first = await postOnce(server.http, '/broadcast', key, { text });
    const repeat = await postOnce(server.http, '/broadcast', key, { text });
    expect(first.status).toBe(202);
    expect(repeat.status).toBe(202);
    expect(repeat.text).toBe(first.text);
    const marker = `after ${key}`;
    await postJson(server.http, '/broadcast', { text: marker });
    await vi.waitFor(() => expect(viewer.itemsIn(null).map((item) => item.text)).toContain(marker));
    expect(viewer.itemsIn(null).filter((item) => item.text === text)).toHaveLength(1);
  });

  it('answers repeated go-push forms with the first {accepted} and delivers their items once', async () => {
    await viewer.join('once-push');
    const key = randomUUID();
    const items = JSON.stringify([{ msg: 'p1' }, { msg: 'p2' }]);
    const first = await postOnce(server.http, '/push/room', key, new URLSearchParams({ room: 'once-push', items }));
    const repeat = await postOnce(server.http, '/push/room', key, new URLSearchParams({ room: 'once-push', items: '[1]' }));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: 2 });
    expect(repeat.status).toBe(200);
    expect(repeat.text).toBe(first.text);
    const all = await postOnce(server.http, '/push/all', key, new URLSearchParams({ items: JSON.stringify([{ msg: 'to all' }]) }));
    const allRepeat = await postOnce(server.http, '/push/all', key, new URLSearchParams({ items: JSON.stringify([{ msg: 'to all' }]) }));
    expect(all.body).toEqual({ accepted: 1 });
    expect(allRepeat.text).toBe(all.text);

    await postOnce(server.http, '/push/room', randomUUID(), new URLSearchParams({ room: 'once-push', items: '[{"msg":"end"}]' }));
    await vi.waitFor(() => expect(viewer.itemsIn('once-push')).toContainEqual({ msg: 'end' }));
    expect(viewer.itemsIn('once-push')).toEqual([{ msg: 'p1' }, { msg: 'p2' }, { msg: 'end' }]);
    await vi.waitFor(() => expect(viewer.itemsIn(null)).toContainEqual({ msg: 'to all' }));
    await postOnce(server.http, '/push/all', randomUUID(), new URLSearchParams({ items: '[{"msg":"all end"}]' }));
    await vi.waitFor(() => expect(viewer.itemsIn(null)).toContainEqual({ msg: 'all end' }));
    expect(viewer.itemsIn(null).filter((item) => item.msg === 'to all')).toHaveLength(1);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(129)],
    ['with a space', 'two words'],
  ])('answers 400 to a key that is %s, on every route, publishing nothing', async (_, key) => {
    for (const path of ['/rooms/once-bad/comments', '/rooms/once-bad/comments?via=nest', '/broadcast']) {
      const answer = await postOnce(server.http, path, key, { text: 'refused' });
      expect(answer.status).toBe(400);
      expect(answer.body.message).toEqual(['Idempotency-Key must be 1 to 128 visible ASCII characters']);
    }
    const push = await postOnce(server.http, '/push/room', key, new URLSearchParams({ room: 'once-bad', items: '[1]' }));
    expect(push.status).toBe(400);
    expect(await seqOf('once-bad')).toBe(0);
  });

  it('accepts a key of 128 visible characters', async () => {
    const key = `${'~!'.repeat(63)}{}`;
    expect((await postOnce(server.http, '/rooms/once-long/comments', key, { text: 'long key' })).status).toBe(202);
    expect((await postOnce(server.http, '/rooms/once-long/comments', key, { text: 'long key' })).body.seq).toBe(1);
  });

  it('keeps no key for a refused request: the same key then publishes', async () => {
    const key = randomUUID();
    const refused = await postOnce(server.http, '/rooms/once-refused/comments', key, { text: '' });
    expect(refused.status).toBe(400);
    const accepted = await postOnce(server.http, '/rooms/once-refused/comments', key, { text: 'now valid' });
    expect(accepted.status).toBe(202);
    expect(accepted.body.seq).toBe(1);
  });
});

describe('Idempotency-Key with comment filters', () => {
  let server: RunningServer;
  const dir = mkdtempSync(join(tmpdir(), 'danmaku-once-'));
  beforeAll(async () => {
    writeFileSync(join(dir, 'words.txt'), 'forbidden\n');
    server = await startServer({ SENSITIVE_WORDS_FILE: join(dir, 'words.txt'), SENSITIVE_WORDS_MODE: 'reject' });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a repeat from the kept answer before the filters, which would refuse its body', async () => {
    const key = randomUUID();
    const first = await postOnce(server.http, '/rooms/filtered/comments', key, { text: 'clean' });
    expect(first.status).toBe(202);
    for (const path of ['/rooms/filtered/comments', '/rooms/filtered/comments?via=nest']) {
      const repeat = await postOnce(server.http, path, key, { text: 'forbidden' });
      expect(repeat.status).toBe(202);
      expect(repeat.text).toBe(first.text);
    }
    const broadcastKey = randomUUID();
    const broadcast = await postOnce(server.http, '/broadcast', broadcastKey, { text: 'clean' });
    expect((await postOnce(server.http, '/broadcast', broadcastKey, { text: 'forbidden' })).text).toBe(broadcast.text);
  });

  it('keeps no key for a comment the filters refused', async () => {
    const key = randomUUID();
    expect((await postOnce(server.http, '/rooms/filtered-refused/comments', key, { text: 'forbidden' })).status).toBe(422);
    const accepted = await postOnce(server.http, '/rooms/filtered-refused/comments', key, { text: 'clean' });
    expect(accepted.status).toBe(202);
    expect(accepted.body.seq).toBe(1);
  });
});
