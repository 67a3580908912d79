import { type RunningServer, startServer } from './support/server.js';
import { upgradeStatus, Viewer } from './support/viewer.js';

describe('ALLOWED_ORIGINS set', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ ALLOWED_ORIGINS: 'https://player.example, http://localhost:3000' });
  });
  afterAll(() => server.stop());

  it('refuses a browser upgrade from another site with 403', async () => {
    expect(await upgradeStatus(server.ws, { Origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(server.ws, { Origin: 'null' })).toBe(403);
    // Same host, another port: another origin.
    expect(await upgradeStatus(server.ws, { Origin: 'http://localhost:3001' })).toBe(403);
  });

  it('admits a listed origin (scheme and host compared case-insensitively) and works as usual', async () => {
    const viewer = await Viewer.connect(server.ws, { headers: { Origin: 'HTTPS://Player.Example' } });
    expect((await viewer.request('PING', {}, 'PONG')).type).toBe('PONG');
    viewer.close();
    expect(await upgradeStatus(server.ws, { Origin: 'http://localhost:3000' })).toBe(101);
  });

  it('admits clients that send no Origin (not browsers)', async () => {
    expect(await upgradeStatus(server.ws)).toBe(101);
  });
});

describe('ALLOWED_ORIGINS unset', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({});
  });
  afterAll(() => server.stop());

  it('admits any origin, as before', async () => {
    expect(await upgradeStatus(server.ws, { Origin: 'https://evil.example' })).toBe(101);
  });
});
