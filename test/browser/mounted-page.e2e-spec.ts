import type { Browser } from 'playwright-core';
import { postJson } from '../support/http.js';
import { type RunningServer, startExample } from '../support/server.js';
import { flying, launchChromium, listed } from './support.js';

// The room page as the example app serves it: DanmakuModule mounted under /live, the app's
// session auth, and duplicate folding shown as "666 ×N".
describe('room page mounted under a prefix (examples/moderated-room)', () => {
  let browser: Browser;
  let app: RunningServer;
  beforeAll(async () => {
    [browser, app] = await Promise.all([launchChromium(), startExample()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('connects to /live/connect with the session, and shows folded duplicates with their count', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(new URL(socket.url()).pathname));
    await page.goto(`${app.http}/live/room/folded?session=alice-session`);
    await page.locator('#conn[data-state="live"]').waitFor();
    expect(sockets).toEqual(['/live/connect']);

    const items = [...Array.from({ length: 12 }, () => ({ text: '666' })), { text: 'nice' }];
    expect((await postJson(app.http, '/live/rooms/folded/comments/batch', { items })).status).toBe(202);
    await flying(page, '666 ×12').first().waitFor();
    await listed(page, 'nice').first().waitFor();
    expect(await listed(page, '666 ×12').count()).toBe(1);

    // The lobby's links stay under the mount point too.
    await page.goto(`${app.http}/live/?session=alice-session`);
    await page.locator('#room-input').fill('elsewhere');
    await page.locator('#room-input').press('Enter');
    await page.waitForURL(/\/live\/room\/elsewhere/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
