import { get, postForm, postJson, roomPath } from './support/http.js';
import { type RunningServer, startServer } from './support/server.js';
import { Viewer } from './support/viewer.js';

const TOKEN = 'admin-token-for-tests';

// Publishing is answered by the direct route by default, by the Nest controller with
// DIRECT_PUBLISH=false: the same contract either way. Express adds an ETag to what it
// answers, the direct route does not, which tells the two apart. The second run also
// writes every frame with socket.write (NATIVE_WRITES=false), the fan-out's fallback.
describe.each([
  ['defaults: direct publish route, native batch writer', 'true'],
  ['DIRECT_PUBLISH=false, NATIVE_WRITES=false', 'false'],
])('HTTP API (ADMIN_TOKEN set, %s)', (_, direct) => {
  let server: RunningServer;
  let viewer: Viewer;
  beforeAll(async () => {
    server = await startServer({ ADMIN_TOKEN: TOKEN, BATCH_WINDOW_MS: '50', DIRECT_PUBLISH: direct, NATIVE_WRITES: direct });
    viewer = await Viewer.connect(server.ws);
    await viewer.join('api');
  });
  afterAll(async () => {
    viewer.close();
    await server.stop();
  });

  it('POST /rooms/:room/comments → 202 {id, seq}, delivered with defaults', async () => {
    const answer = await postJson(server.http, roomPath('api') + '/comments', { text: 'hello', user: 'host' }, TOKEN);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ id: expect.any(String), seq: 1 });
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.has('etag')).toBe(direct === 'false');
    const push = await viewer.next('PUSH');
    expect(push.data.items).toEqual([
      { id: answer.body.id, seq: 1, room: 'api', text: 'hello', color: '#ffffff', mode: 'scroll', user: 'host', ts: expect.any(Number) },
    ]);
  });

  it('POST /rooms/:room/comments/batch → 202 {accepted, firstSeq, lastSeq}', async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ text: `b${i}`, color: '#ff0000', mode: 'bottom' }));
    const answer = await postJson(server.http, roomPath('api') + '/comments/batch', { items }, TOKEN);
    expect(answer.status).toBe(202);
    const { firstSeq, lastSeq } = answer.body;
    expect(answer.body).toEqual({ accepted: 30, firstSeq, lastSeq: firstSeq + 29 });
    await vi.waitFor(() => expect(viewer.itemsIn('api').filter((i) => i.text.startsWith('b'))).toHaveLength(30));
    expect(viewer.itemsIn('api').map((i) => i.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
  });

  it('GET /rooms/:room → {room, online, seq}', async () => {
    const answer = await get(server.http, roomPath('api'));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ room: 'api', online: 1, seq: 31 });
    expect((await get(server.http, roomPath('默认房间'))).body).toEqual({ room: '默认房间', online: 0, seq: 0 });
  });

  it('POST /broadcast → 202 {id}; every connection gets it with room null', async () => {
    const other = await Viewer.connect(server.ws);
    const answer = await postJson(server.http, '/broadcast', { text: 'to everyone', priority: true }, TOKEN);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ id: expect.any(String) });
    for (const v of [viewer, other]) {
      const push = await v.next((f) => f.type === 'PUSH' && f.data.room === null);
      expect(push.data.items).toEqual([expect.objectContaining({ id: answer.body.id, room: null, text: 'to everyone', seq: 1 })]);
    }
    other.close();
  });

  it('POST /push/room and /push/all (go-push forms) → 200, items verbatim, no seq', async () => {
    const room = await postForm(server.http, '/push/room', { room: 'api', items: '[{"gift":"🚀"}, 3]' }, TOKEN);
    expect(room.status).toBe(200);
    expect((await viewer.next((f) => f.type === 'PUSH' && f.data.items[0]?.gift === '🚀')).data).toEqual({
      room: 'api',
      items: [{ gift: '🚀' }, 3],
    });
    const all = await postForm(server.http, '/push/all', { items: '["system"]' }, TOKEN);
    expect(all.status).toBe(200);
    expect((await viewer.next((f) => f.type === 'PUSH' && f.data.items[0] === 'system')).data.room).toBeNull();
    // go-push items are not comments and take no seq.
    expect((await get(server.http, roomPath('api'))).body.seq).toBe(31);
  });

  it('GET /stats → the named counters', async () => {
    const answer = await get(server.http, '/stats');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      connections: 1,
      rooms: 1,
      commentsIn: 32,
      framesOut: expect.any(Number),
      bytesOut: expect.any(Number),
      plainBytesOut: expect.any(Number),
      deflateCalls: expect.any(Number),
      // ws clients offer permessage-deflate by default.
      compressedConnections: 1,
      dropped: 0,
      thinned: 0,
      // The addon is built by npm ci here: 'stream' by default would mean it failed to load.
      fanOutWriter: direct === 'true' ? 'native' : 'stream',
    });
    expect(answer.body.framesOut).toBeGreaterThan(0);
    // The process's own figures, for leak watching: at least the listening socket and this viewer's.
    expect(answer.body.heapUsedBytes).toBeGreaterThan(0);
    expect(answer.body.heapTotalBytes).toBeGreaterThanOrEqual(answer.body.heapUsedBytes);
    expect(answer.body.rssBytes).toBeGreaterThan(answer.body.heapUsedBytes);
    expect(answer.body.activeResources).toBeGreaterThanOrEqual(2);
    expect(answer.body.bytesOut).toBeGreaterThan(answer.body.framesOut);
    expect(answer.body.plainBytesOut).toBeGreaterThan(answer.body.framesOut);
    expect(answer.body.deflateCalls).toBeGreaterThan(0);
  });

  it('GET /healthz → 200 ok', async () => {
    const answer = await get(server.http, '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('ok');
  });

  it('GET /metrics → Prometheus text with the counters', async () => {
    const answer = await get(server.http, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/^# HELP danmaku_comments_in_total/m);
    expect(answer.text).toMatch(/^danmaku_comments_in_total 32$/m);
    expect(answer.text).toMatch(/^danmaku_connections 1$/m);
    expect(answer.text).toMatch(/^danmaku_compressed_connections 1$/m);
    expect(answer.text).toMatch(/^danmaku_plain_bytes_out_total \d+$/m);
    expect(answer.text).toMatch(/^danmaku_deflate_calls_total [1-9]\d*$/m);
    expect(answer.text).toMatch(/^process_cpu_seconds_total/m);
  });

  describe('401 without a valid admin token', () => {
    it.each([
      ['/rooms/api/comments', { text: 'x' }],
      ['/rooms/api/comments/batch', { items: [{ text: 'x' }] }],
      ['/broadcast', { text: 'x' }],
    ])('POST %s', async (path, body) => {
      expect((await postJson(server.http, path, body)).status).toBe(401);
      expect((await postJson(server.http, path, body, 'wrong-token')).status).toBe(401);
    });

    it('the go-push routes', async () => {
      expect((await postForm(server.http, '/push/room', { room: 'api', items: '[1]' })).status).toBe(401);
      expect((await postForm(server.http, '/push/all', { items: '[1]' }, 'nope')).status).toBe(401);
    });
  });

  describe('400 naming the field', () => {
    it.each([
      ['empty text', { text: '' }, 'text'],
      ['missing text', {}, 'text'],
      ['201 characters', { text: 'x'.repeat(201) }, 'text'],
      ['a lone surrogate in the text', { text: 'ok\uD800' }, 'text'],
      ['a lone surrogate in the user', { text: 'ok', user: 'eve\uDBFF' }, 'user'],
      ['bad color', { text: 'x', color: 'blue' }, 'color'],
      ['bad mode', { text: 'x', mode: 'spin' }, 'mode'],
      ['non-boolean priority', { text: 'x', priority: 'yes' }, 'priority'],
    ])('comment with %s', async (_, body, field) => {
      const answer = await postJson(server.http, '/rooms/api/comments', body, TOKEN);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(answer.body.message.join(' ')).toContain(field);
    });

    it('a bad room in the path', async () => {
      const answer = await postJson(server.http, roomPath('x'.repeat(65)) + '/comments', { text: 'x' }, TOKEN);
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body.message)).toContain('room');
      expect((await get(server.http, roomPath('a\u0001b'))).status).toBe(400);
    });

    it.each([
      ['an empty batch', { items: [] }, 'items'],
      ['1001 items', { items: Array.from({ length: 1001 }, () => ({ text: 'x' })) }, 'items'],
      ['a bad item', { items: [{ text: 'ok' }, { text: '' }] }, 'items.1.text'],
      ['no items', {}, 'items'],
    ])('batch with %s', async (_, body, field) => {
      const answer = await postJson(server.http, '/rooms/api/comments/batch', body, TOKEN);
      expect(answer.status).toBe(400);
      expect(answer.body.message.join(' ')).toContain(field);
    });

    it('malformed JSON', async () => {
      const answer = await postJson(server.http, '/rooms/api/comments', '{"text": ', TOKEN);
      expect(answer.status).toBe(400);
    });

    it('go-push items that are not a JSON array, or a missing room', async () => {
      for (const items of ['{"a":1}', 'nope', '']) {
        const answer = await postForm(server.http, '/push/room', { room: 'api', items }, TOKEN);
        expect(answer.status).toBe(400);
        expect(answer.body.message.join(' ')).toContain('items');
      }
      const noRoom = await postForm(server.http, '/push/room', { items: '[1]' }, TOKEN);
      expect(noRoom.status).toBe(400);
      expect(noRoom.body.message.join(' ')).toContain('room');
    });
  });

  it('accepts a body up to 1 MiB and answers 413 above', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ text: '弹'.repeat(200), user: `u${i}`.padEnd(64, 'x') }));
    const nearLimit = JSON.stringify({ items });
    expect(Buffer.byteLength(nearLimit)).toBeGreaterThan(600 * 1024);
    expect(Buffer.byteLength(nearLimit)).toBeLessThan(1024 * 1024);
    expect((await postJson(server.http, '/rooms/big/comments/batch', nearLimit, TOKEN)).status).toBe(202);
    const tooBig = JSON.stringify({ text: 'x', pad: 'y'.repeat(1024 * 1024) });
    expect((await postJson(server.http, '/rooms/big/comments', tooBig, TOKEN)).status).toBe(413);
    const tooBigForm = await postForm(server.http, '/push/all', { items: `["${'z'.repeat(1024 * 1024)}"]` }, TOKEN);
    expect(tooBigForm.status).toBe(413);
    // Still serving.
    expect((await get(server.http, '/healthz')).status).toBe(200);
  });
});

describe('HTTP API (no ADMIN_TOKEN)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it('warns at start-up and accepts admin calls from loopback', async () => {
    expect(server.output()).toMatch(/ADMIN_TOKEN is not set.*loopback/);
    expect((await postJson(server.http, '/rooms/open/comments', { text: 'local' })).status).toBe(202);
    expect((await postForm(server.http, '/push/all', { items: '[1]' })).status).toBe(200);
  });

  it.each([
    ['X-Forwarded-For', '203.0.113.9'],
    ['Forwarded', 'for=203.0.113.9'],
    ['X-Real-IP', '203.0.113.9'],
    ['Via', '1.1 proxy'],
  ])('refuses a loopback admin call that came through a proxy (%s) with 401', async (header, value) => {
    const post = (path: string, body: string, type: string) =>
      fetch(server.http + path, { method: 'POST', headers: { 'content-type': type, [header]: value }, body });
    expect((await post('/rooms/open/comments', '{"text":"via proxy"}', 'application/json')).status).toBe(401);
    expect((await post('/push/all', 'items=%5B1%5D', 'application/x-www-form-urlencoded')).status).toBe(401);
  });
});
