import { statSync } from 'node:fs';
import http from 'node:http';
import type { Browser } from 'playwright-core';
import { get } from '../support/http.js';
import { type RunningServer, startServer } from '../support/server.js';
import { Viewer } from '../support/viewer.js';
import {
  flying,
  flyingRects,
  launchChromium,
  listed,
  openRoom,
  overlapping,
  publish,
  publishBatch,
  resultPath,
  stageStats,
  type Comment,
  waitUntilMovedLeft,
  waitUntilShown,
} from './support.js';

// The viewer's room page in Debian's chromium, against the built server.
describe('room page in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer({ ONLINE_INTERVAL_MS: '100' }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves the page and its files from the same port, and nothing else from that folder', async () => {
    const html = await get(server.http, '/room/abc');
    expect(html.status).toBe(200);
    expect(html.text).toContain('/assets/app.js');
    const script = await fetch(`${server.http}/assets/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const css = await fetch(`${server.http}/assets/page.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.headers.get('cache-control')).toBe('no-cache');
    expect(css.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await revalidate(`${server.http}/assets/page.css`, css.headers.get('etag')!)).toBe(304);
    expect(await revalidate(`${server.http}/`, (await fetch(`${server.http}/`)).headers.get('etag')!)).toBe(304);
    // The viewer client package's build, which the page imports; other origins may import it too.
    const client = await fetch(`${server.http}/assets/client/index.js`);
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(client.headers.get('access-control-allow-origin')).toBe('*');
    expect(await client.text()).toContain('DanmakuClient');
    const refused = [
      '/assets/client/..%2Fpackage.json',
      '/assets/client/%2e%2e%2fsrc%2fclient.ts',
      '/assets/client/',
      '/assets/..%2Fpage.controller.js',
      '/assets/%2e%2e%2fmain.js',
      '/assets/nope.js',
      '/assets/..%5Cmain.js',
      '/assets/..%2Findex.html',
      '/assets/',
      '/assets',
    ];
    for (const path of refused) {
      expect((await get(server.http, path)).status, path).toBe(404);
    }
  });

  it('flies a comment published over REST across the stage', async () => {
    const { page, errors } = await openRoom(browser, server, 'stage');
    await publish(server, 'stage', { text: 'flying over REST', color: '#ffd166' });
    const comment = flying(page, 'flying over REST');
    await comment.waitFor();
    expect(await comment.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(255, 209, 102)');
    const first = (await comment.boundingBox())!.x;
    const second = await waitUntilMovedLeft(page, 'flying over REST', first);
    expect(second).toBeLessThan(first);
    await expect.poll(() => listed(page, 'flying over REST').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sends with Enter: shown at once as the viewer’s own, in a second page and in a raw ws client', async () => {
    const room = 'two pages';
    const a = await openRoom(browser, server, room);
    const b = await openRoom(browser, server, room);
    const raw = await Viewer.connect(server.ws);
    expect((await raw.join(room)).type).toBe('JOINED');
    // Three viewers now: JOINED and ONLINE frames keep the header's count right.
    await a.page.locator('#online-count', { hasText: '3' }).waitFor();

    await a.page.locator('#text').fill('hello from page A');
    await a.page.locator('#text').press('Enter');
    await flying(a.page, 'hello from page A').and(a.page.locator('.own')).waitFor();
    await listed(a.page, 'hello from page A').and(a.page.locator('.own')).waitFor();
    await a.page.locator('#send-status', { hasText: 'Sent.' }).waitFor();
    expect(await a.page.locator('#text').inputValue()).toBe('');

    await flying(b.page, 'hello from page A').waitFor();
    expect(await flying(b.page, 'hello from page A').and(b.page.locator('.own')).count()).toBe(0);
    const push = await raw.next((f) => f.type === 'PUSH' && f.data.items.some((i: any) => i.text === 'hello from page A'));
    const item = push.data.items.find((i: any) => i.text === 'hello from page A');
    expect(item).toMatchObject({ room, color: '#ffffff', mode: 'scroll' });
    // Page A's own copy came back in a PUSH too, and is not shown twice.
    await expect.poll(() => listed(a.page, 'hello from page A').count()).toBe(1);
    expect(await flying(a.page, 'hello from page A').count()).toBe(1);

    raw.close();
    expect([...a.errors, ...b.errors]).toEqual([]);
    await Promise.all([a.page.close(), b.page.close()]);
  });

  it('sends the picked colour and mode, and shows the 200-character limit', async () => {
    const { page, errors } = await openRoom(browser, server, 'pickers');
    await page.locator('.swatch[title="Cyan"]').click();
    await page.locator('.modes label', { hasText: 'Top' }).click();
    await page.locator('#text').fill('pinned at the top');
    await page.locator('#text').press('Enter');
    const top = flying(page, 'pinned at the top');
    await top.waitFor();
    expect(await top.getAttribute('data-mode')).toBe('top');
    expect(await top.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(76, 201, 240)');

    await page.locator('#text').fill('x'.repeat(201));
    await page.locator('#count.over', { hasText: '201/200' }).waitFor();
    await page.locator('#text').press('Enter');
    await page.locator('#send-status', { hasText: 'Too long: 201 characters, 200 at most.' }).waitFor();
    // Characters are code points: 200 emoji fit.
    await page.locator('#text').fill('🎉'.repeat(200));
    await page.locator('#count', { hasText: '200/200' }).waitFor();
    expect(await page.locator('#count.over').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('pauses the flying comments, sets their opacity and density, and hides the list', async () => {
    const room = 'controls';
    const { page, errors } = await openRoom(browser, server, room);
    // At 10% density the stage uses a single lane: everything flies at the same height.
    await page.locator('#density').fill('10');
    await publishBatch(server, room, Array.from({ length: 6 }, (_, i) => ({ text: `L${i}` })));
    await flying(page, 'L0').waitFor();
    await flying(page, 'L1').waitFor();
    const heights = await page
      .locator('#layer .dm')
      .evaluateAll((els) => els.filter((e) => e.textContent!.startsWith('L')).map((e) => Math.round(e.getBoundingClientRect().y)));
    expect(new Set(heights).size).toBe(1);
    expect(overlapping(await flyingRects(page))).toEqual([]);

    await page.locator('#density').fill('100');

    await publish(server, room, { text: 'freeze me' });
    const comment = flying(page, 'freeze me');
    await comment.waitFor();
    await page.locator('#pause').click();
    await page.locator('#paused-badge').waitFor();
    expect(await page.locator('#pause').getAttribute('aria-pressed')).toBe('true');
    const frozenAt = (await comment.boundingBox())!.x;
    await page.evaluate(() => new Promise((done) => {
      let frames = 0;
      const tick = () => (++frames >= 10 ? done(null) : requestAnimationFrame(tick));
      requestAnimationFrame(tick);
    }));
    expect((await comment.boundingBox())!.x).toBe(frozenAt);
    await page.locator('#pause').click();
    await waitUntilMovedLeft(page, 'freeze me', frozenAt, 5);

    await page.locator('#opacity').fill('40');
    await page.locator('#opacity-value', { hasText: '40%' }).waitFor();
    expect(await page.locator('#layer').evaluate((el) => getComputedStyle(el).opacity)).toBe('0.4');

    const stageWidth = async () => (await page.locator('#stage').boundingBox())!.width;
    const withList = await stageWidth();
    await page.locator('#toggle-list').click();
    await page.locator('#panel').waitFor({ state: 'hidden' });
    expect(await stageWidth()).toBeGreaterThan(withList);
    await page.locator('#toggle-list').click();
    await listed(page, 'L5').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plays ?video= behind the comments, and falls back to the gradient when it cannot load', async () => {
    const { page, errors } = await openRoom(browser, server, 'cinema', { query: '?video=/assets/missing.webm' });
    expect(await page.locator('#video').getAttribute('src')).toBe(`${server.http}/assets/missing.webm`);
    await page.locator('#video').waitFor({ state: 'hidden' });
    expect(await page.locator('#stage.has-video').count()).toBe(0);
    await publish(server, 'cinema', { text: 'still flying' });
    await flying(page, 'still flying').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists live rooms at / and opens a typed room name', async () => {
    const viewer = await openRoom(browser, server, '默认房间');
    const page = await browser.newPage();
    await page.goto(`${server.http}/`);
    const card = page.locator('.room-card', { hasText: '默认房间' });
    await card.waitFor();
    expect(await card.getAttribute('href')).toBe(`/room/${encodeURIComponent('默认房间')}`);
    await page.locator('#room-input').fill('a new room');
    await page.locator('#room-input').press('Enter');
    await page.waitForURL(`${server.http}/room/a%20new%20room`);
    await page.locator('#room-name', { hasText: 'a new room' }).waitFor();
    await page.locator('#conn[data-state="live"]').waitFor();
    await Promise.all([page.close(), viewer.page.close()]);
  });

  it('keeps up with 200 comments/s: bounded queue and list, no overlap, still moving; no backlog in a background tab', async () => {
    const room = 'flood';
    const { page, errors } = await openRoom(browser, server, room);
    // Count frames while the flood arrives: the page must keep painting.
    await page.evaluate(() => {
      const w = window as unknown as { frames_: number[] };
      w.frames_ = [];
      const tick = (t: number) => {
        w.frames_.push(t);
        if (w.frames_.length < 100_000) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const colors = ['#ffffff', '#ff5c5c', '#ffd166', '#3ddc97', '#4cc9f0', '#b388ff'];
    // 2 s at 200/s, sent as 20 batches of 20 every 100 ms.
    for (let batch = 0; batch < 20; batch++) {
      const items = Array.from({ length: 20 }, (_, i) => ({
        text: `flood ${batch}-${i} ${'~'.repeat((batch * 7 + i) % 23)}`,
        color: colors[(batch + i) % colors.length],
        mode: (i % 10 === 0 ? 'top' : i % 10 === 5 ? 'bottom' : 'scroll') as 'scroll' | 'top' | 'bottom',
      }));
      await Promise.all([publishBatch(server, room, items), new Promise((r) => setTimeout(r, 100))]);
    }
    await page.locator('#comment-list .txt', { hasText: 'flood 19-19 ' }).waitFor();
    const stats = await stageStats(page);
    expect(stats.shown).toBeGreaterThan(10);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.queued).toBeLessThanOrEqual(Math.max(24, stats.lanes * 3));
    expect(await page.locator('#comment-list .entry').count()).toBeLessThanOrEqual(120);
    expect(overlapping(await flyingRects(page))).toEqual([]);
    const frames: number[] = await page.evaluate(() => (window as any).frames_);
    const longest = Math.max(...frames.slice(1).map((t, i) => t - frames[i]));
    expect(frames.length).toBeGreaterThan(30);
    expect(longest).toBeLessThan(500);
    // And what is on the stage still moves.
    const moving = page.locator('#layer .dm[data-mode="scroll"]').last();
    const text = (await moving.textContent())!;
    await waitUntilMovedLeft(page, text, (await moving.boundingBox())!.x);

    // A background tab (document.hidden) queues nothing for later: comments that arrive
    // are listed but not kept waiting to fly.
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const skippedBefore = (await stageStats(page)).skipped;
    // 90: under BATCH_MAX_ITEMS, so the server thins none of them out.
    await publishBatch(server, room, Array.from({ length: 90 }, (_, i) => ({ text: `while hidden ${i}` })));
    await page.waitForFunction((n) => (window as any).danmaku.stage.stats().skipped >= n + 90, skippedBefore);
    expect((await stageStats(page)).queued).toBe(0);
    await page.evaluate(() => {
      delete (document as any).hidden;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await publish(server, room, { text: 'back in front' });
    await flying(page, 'back in front').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('saves a screenshot with comments in flight, none overlapping', async () => {
    const room = 'showcase';
    const { page, errors } = await openRoom(browser, server, room, { width: 1440, height: 900 });
    // A pinned notice and a bottom line with a first wave from the audience, then the
    // viewer's own comment and a second wave.
    const waves: Comment[][] = [
      [
        { text: 'LIVE NOW · welcome, everyone', color: '#ffd166', mode: 'top' },
        { text: 'remember to hydrate 💧', color: '#4cc9f0', mode: 'bottom' },
        { text: 'first!!', color: '#ffd166' },
        { text: 'this soundtrack is unreal 🎧', color: '#ffffff' },
        { text: '前方高能预警', color: '#4cc9f0' },
        { text: 'who else is watching at 3am', color: '#ff7eb3' },
        { text: '8888888888', color: '#3ddc97' },
        { text: 'hello from Lisbon', color: '#b388ff' },
        { text: 'that transition though', color: '#ffffff' },
        { text: 'turn it up!!!', color: '#ff5c5c' },
      ],
      [
        { text: 'gg', color: '#ff5c5c' },
        { text: 'わこつ', color: '#ffd166' },
        { text: 'best seat in the house', color: '#7c9cff' },
        { text: 'the drummer!!', color: '#ff9f43' },
        { text: 'hi chat 👋', color: '#ffffff' },
      ],
    ];
    let ownStart = 0;
    for (const [n, wave] of waves.entries()) {
      if (n === 1) {
        await page.locator('#text').fill('my first comment here');
        await page.locator('#text').press('Enter');
        const own = flying(page, 'my first comment here');
        await own.waitFor();
        ownStart = (await own.boundingBox())!.x;
      }
      for (const sample of wave) await publish(server, room, sample);
      if (n === 0) {
        await waitUntilShown(page, 'LIVE NOW · welcome, everyone');
        await waitUntilShown(page, 'remember to hydrate 💧');
        const last = wave.at(-1)!.text;
        const comment = flying(page, last);
        await comment.waitFor();
        await waitUntilMovedLeft(page, last, (await comment.boundingBox())!.x, 220);
      }
    }
    await listed(page, 'hi chat 👋').waitFor();
    await page.locator('#send-status', { hasText: 'Sent.' }).waitFor();
    // Let the viewer's own move in from the right edge before taking the picture.
    await waitUntilMovedLeft(page, 'my first comment here', ownStart, 220);
    // Freeze the frame (as the Pause button does, without its badge) for the picture,
    // while the top and bottom ones still show (5 s from the first wave).
    await page.evaluate(() => (window as any).danmaku.stage.setPaused(true));
    expect(await page.locator('#layer .dm').count()).toBeGreaterThanOrEqual(10);
    expect(await page.locator('#layer .dm[data-mode="top"]').count()).toBe(1);
    expect(await page.locator('#layer .dm[data-mode="bottom"]').count()).toBe(1);
    expect(await page.locator('#layer .dm.own').count()).toBe(1);
    expect(overlapping(await flyingRects(page))).toEqual([]);
    const path = resultPath('room-page.png');
    await page.screenshot({ path });
    expect(statSync(path).size).toBeGreaterThan(20_000);
    expect(errors).toEqual([]);
    await page.close();
  });
});

/**
 * The status of a conditional GET as a browser's cache sends it: If-None-Match alone.
 * (fetch() adds `Cache-Control: no-cache` to a request with If-None-Match, which asks the
 * server for the whole body again.)
 */
function revalidate(url: string, etag: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'if-none-match': etag } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
      .on('error', reject);
  });
}
