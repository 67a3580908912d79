import { SignJWT } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { postJson } from '../support/http.js';
import { type RunningServer, startServer } from '../support/server.js';
import { Viewer } from '../support/viewer.js';
import { launchChromium, listed, openRoom } from './support.js';

async function send(page: Page, text: string): Promise<void> {
  await page.locator('#text').fill(text);
  await page.locator('#text').press('Enter');
}

// What the viewer is told when the server says no: ERROR frames in words, a 1008 close
// and a refused upgrade (401) that are not retried in a loop.
describe('room page refusals', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  describe('with COMMENT_RATE=1 and COMMENT_BURST=1', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({ COMMENT_RATE: '1', COMMENT_BURST: '1' });
    });
    afterAll(() => server?.stop());

    it('shows RATE_LIMITED to the viewer in words and gives the text back', async () => {
      const { page, errors } = await openRoom(browser, server, 'slow down');
      await send(page, 'one');
      await send(page, 'two');
      await send(page, 'three');
      await page.locator('#send-status', { hasText: 'Slow down: you are sending comments too fast' }).waitFor();
      expect(await page.locator('#send-status').textContent()).toContain('(RATE_LIMITED)');
      const refused = page.locator('#comment-list .entry.failed');
      await refused.first().waitFor();
      expect(await refused.first().textContent()).toContain('not sent: too fast');
      // A refused comment leaves the stage; only accepted ones keep flying.
      expect(await page.locator('#layer .dm.own').count()).toBeLessThan(3);
      expect(await page.locator('#text').inputValue()).not.toBe('');
      expect(errors).toEqual([]);
      await page.close();
    });

    it('after a 1008 close (20 refusals in 10 s) says so and does not reconnect', async () => {
      const { page, errors } = await openRoom(browser, server, 'flooder');
      let sockets = 0;
      page.on('websocket', () => sockets++);
      const stopped = page.locator('#conn[data-state="stopped"]');
      for (let i = 0; i < 40 && !(await stopped.count()); i++) await send(page, `spam ${i}`);
      await stopped.waitFor();
      expect(await page.locator('#conn-text').textContent()).toContain('too many comments refused (1008)');
      expect(await page.evaluate(() => (window as any).danmaku.connection.state)).toEqual({ name: 'stopped', reason: 'policy', code: 1008 });
      // Sending now is refused by the page itself, and no socket was opened again.
      await send(page, 'anyone there?');
      await page.locator('#send-status', { hasText: 'Not connected right now' }).waitFor();
      expect(sockets).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    });
  });

  describe('with OVERLOAD_DELAY_MS=10 (a server that refuses past a 10 ms wait)', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({
        ADMIN_TOKEN: 'busy-admin',
        OVERLOAD_DELAY_MS: '10',
        BATCH_WINDOW_MS: '50',
        BATCH_MAX_ITEMS: '10000',
        SLOW_CONSUMER_BYTES: String(256 * 1024 * 1024),
        // Only overload may refuse the page's comments here.
        COMMENT_RATE: '1000',
        COMMENT_BURST: '1000',
      });
    });
    afterAll(() => server?.stop());

    it('words an overload refusal as a busy room, not as the viewer sending too fast, and gives the text back', async () => {
      // Members elsewhere make big batches cost the server; the page's room stays quiet.
      const crowd = await Promise.all(Array.from({ length: 20 }, () => Viewer.connect(server.ws)));
      await Promise.all(crowd.map((viewer) => viewer.join('stadium')));
      const { page, errors } = await openRoom(browser, server, 'quiet corner');
      const busy = page.locator('#send-status', { hasText: 'The room is very busy right now' });
      const items = Array.from({ length: 600 }, (_, i) => ({ text: `goal ${i} ${'!'.repeat(100)}` }));
      for (let wave = 0; wave < 40 && !(await busy.count()); wave++) {
        const storm = Array.from({ length: 6 }, () => postJson(server.http, '/rooms/stadium/comments/batch', { items }, 'busy-admin'));
        await send(page, `during wave ${wave}`);
        await Promise.all(storm);
        await page.locator('#send-status:not(:empty)').waitFor();
      }
      await busy.waitFor();
      expect(await page.locator('#send-status').textContent()).toContain('(RATE_LIMITED)');
      expect(await page.locator('#send-status').textContent()).not.toContain('too fast');
      expect(await page.locator('#comment-list .entry.failed').first().textContent()).toContain('not sent: room busy');
      expect(await page.locator('#text').inputValue()).toMatch(/^during wave/);
      expect(errors).toEqual([]);
      await page.close();
      for (const viewer of crowd) viewer.close();
    });
  });

  describe('with VIEWER_TOKEN_SECRET set', () => {
    const SECRET = 'page-test-secret';
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({ VIEWER_TOKEN_SECRET: SECRET });
    });
    afterAll(() => server?.stop());

    it('without a token: tells the viewer it is not allowed in (401) and stops retrying', async () => {
      const page = await browser.newPage();
      let sockets = 0;
      page.on('websocket', () => sockets++);
      await page.goto(`${server.http}/room/members`);
      await page.locator('#conn[data-state="stopped"]').waitFor();
      expect(await page.locator('#conn-text').textContent()).toContain('Not allowed in (401)');
      expect(sockets).toBe(1);
      await page.close();
    });

    it('with a token from ?token=: joins, and comments carry their user', async () => {
      const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
      const { page, errors } = await openRoom(browser, server, 'members', { query: `?token=${token}` });
      await send(page, 'hi, I am alice');
      await page.locator('#send-status', { hasText: 'Sent.' }).waitFor();
      expect(await listed(page, 'hi, I am alice').locator('.who').textContent()).toBe('You');
      expect((await postJson(server.http, '/rooms/members/comments', { text: 'carol here', user: 'carol' })).status).toBe(202);
      await listed(page, 'carol here').waitFor();
      expect(await listed(page, 'carol here').locator('.who').textContent()).toBe('carol');
      expect(errors).toEqual([]);
      await page.close();
    });
  });
});
