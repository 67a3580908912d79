import { get, postJson } from './support/http.js';
import { type RunningServer, startExample } from './support/server.js';
import { upgradeStatus, Viewer } from './support/viewer.js';

// examples/moderated-room: a host app that imports DanmakuModule under /live with its own
// auth hook and comment filters, the built-in word filter and duplicate folding.
describe('example app (examples/moderated-room)', () => {
  let app: RunningServer;
  let socket: string;
  beforeAll(async () => {
    app = await startExample();
    socket = `ws://127.0.0.1:${app.port}/live/connect`;
  });
  afterAll(() => app.stop());

  const viewer = (session: string) => Viewer.connect(`${socket}?session=${session}`);

  describe('its auth hook', () => {
    it('admits a known session from the query or the cookie, and stamps comments with its user', async () => {
      const alice = await viewer('alice-session');
      await alice.join('auth');
      await alice.request('COMMENT', { room: 'auth', text: 'hello' }, 'ACK');
      expect((await alice.next('PUSH')).data.items[0]).toMatchObject({ text: 'hello', user: 'alice' });
      alice.close();
      expect(await upgradeStatus(socket, { cookie: 'theme=dark; sid=bob-session' })).toBe(101);
    });

    it('takes upgrades from its own origin and from clients without one, not from another site (cookies would ride along)', async () => {
      expect(await upgradeStatus(socket, { cookie: 'sid=bob-session', Origin: 'https://evil.example' })).toBe(403);
      expect(await upgradeStatus(socket, { cookie: 'sid=bob-session', Origin: `http://127.0.0.1:${app.port}` })).toBe(101);
      expect(await upgradeStatus(socket, { cookie: 'sid=bob-session' })).toBe(101);
    });

    it('refuses an unknown or missing session with 401', async () => {
      expect(await upgradeStatus(socket)).toBe(401);
      expect(await upgradeStatus(`${socket}?session=forged`)).toBe(401);
    });
  });

  describe('its filters', () => {
    it('rewrites: links become [link], and the built-in word filter masks across widths', async () => {
      const alice = await viewer('alice-session');
      await alice.join('rewrite');
      await alice.request('COMMENT', { room: 'rewrite', text: 'see https://example.com/x now' }, 'ACK');
      await alice.request('COMMENT', { room: 'rewrite', text: '你是傻瓜, ＤＡＲＮ' }, 'ACK');
      await vi.waitFor(() => expect(alice.itemsIn('rewrite')).toHaveLength(2), { timeout: 3000 });
      expect(alice.itemsIn('rewrite').map((i) => i.text)).toEqual(['see [link] now', '你是**, ****']);
      alice.close();
    });

    it('rejects a muted user: ERROR REJECTED over the socket, 422 over REST, and an event the app sees', async () => {
      expect((await postJson(app.http, '/moderation/rooms/muted/mute/mallory', {})).status).toBe(204);
      const mallory = await viewer('mallory-session');
      await mallory.join('muted');
      const error = await mallory.request('COMMENT', { room: 'muted', text: 'let me talk', cid: 'm1' }, 'ACK');
      expect(error.data).toEqual({ code: 'REJECTED', message: 'you are muted in this room', ref: 'COMMENT', cid: 'm1' });
      const rest = await postJson(app.http, '/live/rooms/muted/comments', { text: 'via REST', user: 'mallory' });
      expect(rest.status).toBe(422);
      expect(rest.body).toMatchObject({ statusCode: 422, message: ['you are muted in this room'] });
      const activity = (await get(app.http, '/moderation/activity')).body;
      expect(activity.rejected).toBeGreaterThanOrEqual(2);
      expect(activity.lastRejection).toEqual({ user: 'mallory', reason: 'you are muted in this room' });
      // Others in the room still talk.
      expect((await postJson(app.http, '/live/rooms/muted/comments', { text: 'fine', user: 'bob' })).status).toBe(202);
      mallory.close();
    });
  });

  it('folds duplicates: a ws client gets "666" once with a count', async () => {
    const bob = await viewer('bob-session');
    await bob.join('fold');
    const items = [...Array.from({ length: 12 }, () => ({ text: '666' })), { text: 'wow' }, { text: '666' }];
    const answer = await postJson(app.http, '/live/rooms/fold/comments/batch', { items });
    expect(answer.status).toBe(202);
    const push = await bob.next('PUSH');
    expect(push.data.items.map((i: any) => [i.text, i.count])).toEqual([['666', 13], ['wow', undefined]]);
    bob.close();
  });

  it('mounts every route under /live, beside the app’s own routes', async () => {
    expect((await get(app.http, '/live/rooms/fold')).body).toMatchObject({ room: 'fold', seq: 14 });
    expect((await get(app.http, '/live/healthz')).status).toBe(200);
    expect((await get(app.http, '/live/stats')).body.commentsIn).toBeGreaterThan(0);
    expect((await get(app.http, '/rooms/fold')).status).toBe(404);
    expect((await get(app.http, '/moderation/activity')).body.joined).toBeGreaterThan(0);
    const page = await fetch(`${app.http}/live/room/lobby`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });
});
