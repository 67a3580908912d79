import type { Browser } from 'playwright-core';
import { type RunningServer, startServer } from '../support/server.js';
import { flying, launchChromium, listed, openRoom, publish } from './support.js';

// The page's resilience: resume with since after a dropped socket, and reconnection by
// itself (full-jitter backoff) after the server goes away and comes back.
describe('room page reconnection', () => {
  let browser: Browser;
  let server: RunningServer;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('after a dropped socket, re-JOINs with since and shows what was published meanwhile, with no gap', async () => {
    const room = 'blip';
    const { page, errors } = await openRoom(browser, server, room);
    await publish(server, room, { text: 'before the blip' });
    await listed(page, 'before the blip').waitFor();
    // Drop the socket and hold new ones back until a comment has been published in
    // between: the only way the page can show it is the resume's replay.
    await page.evaluate(async (url) => {
      const w = window as any;
      w.RealWebSocket = WebSocket;
      w.WebSocket = class {
        constructor() {
          throw new Error('offline');
        }
      };
      w.danmaku.connection.socket.close();
      const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"missed during the blip"}' });
      if (answer.status !== 202) throw new Error(`publish answered ${answer.status}`);
    }, `${server.http}/rooms/${room}/comments`);
    await page.locator('#conn[data-state="waiting"]').waitFor();
    expect(await listed(page, 'missed during the blip').count()).toBe(0);
    const frames: string[] = [];
    page.on('websocket', (ws) => ws.on('framesent', (frame) => frames.push(String(frame.payload))));
    await page.evaluate(() => {
      const w = window as any;
      w.WebSocket = w.RealWebSocket;
      w.danmaku.connection.retryNow();
    });
    await listed(page, 'missed during the blip').waitFor();
    await flying(page, 'missed during the blip').waitFor();
    await page.locator('#conn[data-state="live"]').waitFor();
    expect(frames.map((f) => JSON.parse(f))).toContainEqual({ type: 'JOIN', data: { room, since: 1, epoch: expect.any(String) } });
    expect(await listed(page, 'before the blip').count()).toBe(1);
    expect(await page.locator('#comment-list .system', { hasText: 'could not be recovered' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reconnects by itself after a server restart and shows comments published while it was away', async () => {
    const room = 'restart';
    const { page, errors } = await openRoom(browser, server, room);
    for (const text of ['one', 'two', 'three']) await publish(server, room, { text });
    await listed(page, 'three').waitFor();

    const port = server.port;
    await server.stop();
    await page.locator('#conn[data-state="waiting"]').waitFor();
    await page.locator('#comment-list .system', { hasText: 'Connection lost' }).waitFor();
    server = await startServer({}, port);
    // Published while the page is (most likely) still waiting out its backoff. The new
    // server's seq restarts below the page's since, which it answers by replaying all
    // it has (gap: true); a page that got back first sees it live. Either way it shows.
    await publish(server, room, { text: 'published while you were away' });
    // Full-jitter backoff: the wait before the next attempt is random, up to 8 s or 16 s
    // by now on a slow machine.
    await listed(page, 'published while you were away').waitFor({ timeout: 45_000 });
    await page.locator('#conn[data-state="live"]').waitFor();
    // The memory lost with the old process is a gap, shown discreetly in the list.
    await page.locator('#comment-list .system', { hasText: 'could not be recovered' }).waitFor();
    expect(await listed(page, 'one').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
