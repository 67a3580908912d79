import { SignJWT } from 'jose';
import { type RunningServer, startServer } from './support/server.js';
import { upgradeStatus, Viewer } from './support/viewer.js';

const SECRET = 'viewer-secret-for-tests';
const key = new TextEncoder().encode(SECRET);

function token(claims: Record<string, unknown>, options: { alg?: string; secret?: Uint8Array } = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).sign(options.secret ?? key);
}

describe('viewer tokens (VIEWER_TOKEN_SECRET set)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ VIEWER_TOKEN_SECRET: SECRET });
  });
  afterAll(() => server.stop());

  it('admits a valid HS256 token and stamps comments with its sub', async () => {
    const viewer = await Viewer.connect(`${server.ws}?token=${await token({ sub: 'alice' })}`);
    await viewer.join('auth');
    await viewer.request('COMMENT', { room: 'auth', text: 'signed' }, 'ACK');
    const push = await viewer.next('PUSH');
    expect(push.data.items[0]).toMatchObject({ text: 'signed', user: 'alice' });
    viewer.close();
  });

  it('refuses the upgrade with 401 without a token', async () => {
    expect(await upgradeStatus(server.ws)).toBe(401);
  });

  it.each([
    ['a garbage token', async () => 'not.a.jwt'],
    ['a token signed with another secret', () => token({ sub: 'eve' }, { secret: new TextEncoder().encode('other') })],
    ['another algorithm (HS512)', () => token({ sub: 'eve' }, { alg: 'HS512' })],
    ['an expired token', () => token({ sub: 'eve', exp: Math.floor(Date.now() / 1000) - 60 })],
    ['a token not valid yet', () => token({ sub: 'eve', nbf: Math.floor(Date.now() / 1000) + 3600 })],
    ['an empty sub', () => token({ sub: '' })],
    ['a sub of 65 characters', () => token({ sub: 'x'.repeat(65) })],
    ['a sub with a lone surrogate', () => token({ sub: 'eve\uD800' })],
    ['no sub', () => token({ name: 'eve' })],
  ])('refuses %s with 401', async (_, make) => {
    expect(await upgradeStatus(`${server.ws}?token=${await make()}`)).toBe(401);
  });

  it('refuses an unsigned (alg none) token with 401', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'mallory' })}.`;
    expect(await upgradeStatus(`${server.ws}?token=${unsigned}`)).toBe(401);
  });
});
