import { SignJWT } from 'jose';
import type { ClientOptions } from 'ws';
import { get, postJson } from './support/http.js';
import { type RunningServer, startExample, startServer } from './support/server.js';
import { type Frame, Viewer } from './support/viewer.js';

const TOKEN = 'admin-token-for-tests';
const SECRET = 'viewer-secret-for-tests';
const key = new TextEncoder().encode(SECRET);

const tokenFor = (sub: string) => new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).sign(key);
const userPath = (user: string) => `/users/${encodeURIComponent(user)}/messages`;
const isUserPush = (frame: Frame) => frame.type === 'PUSH' && frame.data.room === null && 'to' in frame.data;

/** Every text message the socket receives, as the client decoded it (inflated where compressed). */
function recordText(viewer: Viewer): string[] {
  const texts: string[] = [];
  viewer.ws.on('message', (data, isBinary) => {
    if (!isBinary) texts.push(data.toString());
  });
  return texts;
}

describe('POST /users/:user/messages (one process, viewer tokens)', () => {
  let server: RunningServer;
  const viewers: Viewer[] = [];
  const connectAs = async (user: string, options: ClientOptions = {}) => {
    const viewer = await Viewer.connect(`${server.ws}?token=${await tokenFor(user)}`, options);
    viewers.push(viewer);
    return viewer;
  };

  beforeAll(async () => {
    server = await startServer({ ADMIN_TOKEN: TOKEN, VIEWER_TOKEN_SECRET: SECRET });
  });
  afterAll(async () => {
    for (const viewer of viewers) viewer.close();
    await server.stop();
  });

  it('reaches both tabs of the user, one compressed and one not, with the same message, and no other user', async () => {
    const compressed = await connectAs('alice');
    const plain = await connectAs('alice', { perMessageDeflate: false });
    const bob = await connectAs('bob');
    expect(compressed.extensions).toContain('permessage-deflate');
    expect(plain.extensions).toBeUndefined();
    const [compressedTexts, plainTexts] = [recordText(compressed), recordText(plain)];
    const before = (await get(server.http, '/stats')).body;

    const answer = await postJson(server.http, userPath('alice'), { text: 'hi alice', color: '#ffcc00', mode: 'top', priority: true }, TOKEN);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ id: expect.any(String) });

    const expected = {
      room: null,
      to: 'alice',
      items: [{ id: answer.body.id, room: null, text: 'hi alice', color: '#ffcc00', mode: 'top', ts: expect.any(Number) }],
    };
    expect((await compressed.next(isUserPush)).data).toEqual(expected);
    expect((await plain.next(isUserPush)).data).toEqual(expected);
    expect(compressedTexts).toHaveLength(1);
    expect(compressedTexts).toEqual(plainTexts);
    expect(JSON.parse(compressedTexts[0]).data.items[0]).not.toHaveProperty('seq');

    // Bob gets his own message, and nothing before it.
    const own = await postJson(server.http, userPath('bob'), { text: 'hi bob' }, TOKEN);
    expect((await bob.next(isUserPush)).data).toMatchObject({ to: 'bob', items: [{ id: own.body.id, text: 'hi bob' }] });
    expect(bob.frames.filter((frame) => frame.type === 'PUSH')).toHaveLength(1);

    // One frame per connection, deflated once for the compressed one, counted as a comment.
    const after = (await get(server.http, '/stats')).body;
    expect(after.framesOut - before.framesOut).toBe(3);
    expect(after.deflateCalls - before.deflateCalls).toBe(2);
    expect(after.commentsIn - before.commentsIn).toBe(2);
  });

  it('deflates a message once for every tab of the user that shares a deflate window', async () => {
    const tabs = [await connectAs('carol'), await connectAs('carol'), await connectAs('carol')];
    const before = (await get(server.http, '/stats')).body.deflateCalls;
    await postJson(server.http, userPath('carol'), { text: 'to three tabs' }, TOKEN);
    for (const tab of tabs) expect((await tab.next(isUserPush)).data.items[0].text).toBe('to three tabs');
    expect((await get(server.http, '/stats')).body.deflateCalls - before).toBe(1);
  });

  it('keeps nothing: a message for a user with no connection is answered 202 and never delivered', async () => {
    const answer = await postJson(server.http, userPath('dave'), { text: 'nobody home' }, TOKEN);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ id: expect.any(String) });
    const dave = await connectAs('dave');
    await postJson(server.http, userPath('dave'), { text: 'now' }, TOKEN);
    expect((await dave.next(isUserPush)).data.items[0].text).toBe('now');
    expect(dave.frames.filter(isUserPush)).toHaveLength(1);
  });

  it('stops at a closed tab and still reaches the other, and reaches the user again after a reconnect', async () => {
    const [first, second] = [await connectAs('erin'), await connectAs('erin')];
    first.close();
    await first.closed;
    await postJson(server.http, userPath('erin'), { text: 'one tab left' }, TOKEN);
    expect((await second.next(isUserPush)).data.items[0].text).toBe('one tab left');
    second.close();
    await second.closed;
    const again = await connectAs('erin');
    await postJson(server.http, userPath('erin'), { text: 'back' }, TOKEN);
    expect((await again.next(isUserPush)).data.items[0].text).toBe('back');
  });

  it('takes any well-formed user id up to 64 characters in the path', async () => {
    const user = '用户 #1/😀';
    const viewer = await connectAs(user);
    const answer = await postJson(server.http, userPath(user), { text: '你好' }, TOKEN);
    expect(answer.status).toBe(202);
    expect((await viewer.next(isUserPush)).data).toMatchObject({ to: user, items: [{ text: '你好' }] });
  });

  it('answers 401 without a valid admin token', async () => {
    expect((await postJson(server.http, userPath('alice'), { text: 'x' })).status).toBe(401);
    expect((await postJson(server.http, userPath('alice'), { text: 'x' }, 'wrong-token')).status).toBe(401);
  });

  it.each([
    ['empty text', { text: '' }, 'text'],
    ['missing text', {}, 'text'],
    ['201 characters', { text: 'x'.repeat(201) }, 'text'],
    ['bad color', { text: 'x', color: 'blue' }, 'color'],
    ['bad mode', { text: 'x', mode: 'spin' }, 'mode'],
    ['non-boolean priority', { text: 'x', priority: 'yes' }, 'priority'],
  ])('answers 400 naming the field for %s', async (_, body, field) => {
    const answer = await postJson(server.http, userPath('alice'), body, TOKEN);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(answer.body.message.join(' ')).toContain(field);
  });

  it('answers 400 for a user id over 64 characters, or one that does not decode to well-formed text', async () => {
    const long = await postJson(server.http, userPath('u'.repeat(65)), { text: 'x' }, TOKEN);
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body.message)).toContain('user');
    // A lone surrogate (U+D800) in UTF-8: not valid UTF-8, so no user id at all.
    expect((await postJson(server.http, '/users/eve%ED%A0%80/messages', { text: 'x' }, TOKEN)).status).toBe(400);
  });

  it('answers 400 for malformed JSON and 413 for a body over 1 MiB', async () => {
    expect((await postJson(server.http, userPath('alice'), '{"text": ', TOKEN)).status).toBe(400);
    const tooBig = JSON.stringify({ text: 'x', pad: 'y'.repeat(1024 * 1024) });
    expect((await postJson(server.http, userPath('alice'), tooBig, TOKEN)).status).toBe(413);
  });

  it('drops a `user` field from the body: the path names the user', async () => {
    const frank = await connectAs('frank');
    const answer = await postJson(server.http, userPath('frank'), { text: 'signed?', user: 'mallory' }, TOKEN);
    expect(answer.status).toBe(202);
    expect((await frank.next(isUserPush)).data.items[0]).not.toHaveProperty('user');
  });
});

describe('POST /users/:user/messages (anonymous viewers)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ ADMIN_TOKEN: TOKEN });
  });
  afterAll(() => server.stop());

  it('never reaches a viewer without a user', async () => {
    const anonymous = await Viewer.connect(server.ws);
    expect((await postJson(server.http, userPath('alice'), { text: 'for alice' }, TOKEN)).status).toBe(202);
    // A push to this socket would have been written before the 202, so before the broadcast.
    await postJson(server.http, '/broadcast', { text: 'for everyone' }, TOKEN);
    const push = await anonymous.next('PUSH');
    expect(push.data.items.map((item: { text: string }) => item.text)).toEqual(['for everyone']);
    expect(anonymous.frames.filter((frame) => frame.type === 'PUSH')).toHaveLength(1);
    anonymous.close();
  });
});

describe('POST /users/:user/messages (a host app with its own authenticator: examples/moderated-room)', () => {
  let app: RunningServer;
  beforeAll(async () => {
    app = await startExample();
  });
  afterAll(() => app.stop());

  it('reaches the user the authenticator names, under the app’s route prefix', async () => {
    const socket = app.ws.replace('/connect', '/live/connect');
    const [alice, bob] = [await Viewer.connect(`${socket}?session=alice-session`), await Viewer.connect(`${socket}?session=bob-session`)];
    const answer = await postJson(app.http, `/live${userPath('alice')}`, { text: 'hello from the app' });
    expect(answer.status).toBe(202);
    expect((await alice.next(isUserPush)).data).toMatchObject({ to: 'alice', items: [{ id: answer.body.id, text: 'hello from the app' }] });
    await postJson(app.http, `/live${userPath('bob')}`, { text: 'and bob' });
    expect((await bob.next(isUserPush)).data.items[0].text).toBe('and bob');
    expect(bob.frames.filter(isUserPush)).toHaveLength(1);
    alice.close();
    bob.close();
  });
});
