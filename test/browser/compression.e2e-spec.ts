import type { Browser, Page } from 'playwright-core';
import { get, postForm } from '../support/http.js';
import { type RunningServer, startServer } from '../support/server.js';
import { flying, launchChromium, listed, publish, publishBatch } from './support.js';

interface Handshake {
  url: string;
  offered: string | undefined;
  answered: string | undefined;
}

/** Records every WebSocket handshake the page makes, as Chromium's network layer saw it. */
async function recordHandshakes(page: Page): Promise<Handshake[]> {
  const handshakes: Handshake[] = [];
  const requests = new Map<string, { url: string; offered: string | undefined }>();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketCreated', ({ requestId, url }) => requests.set(requestId, { url, offered: undefined }));
  cdp.on('Network.webSocketWillSendHandshakeRequest', ({ requestId, request }) => {
    const known = requests.get(requestId);
    if (known) known.offered = header(request.headers, 'sec-websocket-extensions');
  });
  cdp.on('Network.webSocketHandshakeResponseReceived', ({ requestId, response }) => {
    const known = requests.get(requestId);
    if (known) handshakes.push({ ...known, answered: header(response.headers, 'sec-websocket-extensions') });
  });
  return handshakes;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

const ANSWER = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';

// Chromium offers permessage-deflate on every socket and compresses what it sends; the
// server's frames come back compressed once per batch.
describe('compression in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the room page negotiates permessage-deflate and shows comments as before', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const handshakes = await recordHandshakes(page);
    await page.goto(`${server.http}/room/packed`);
    await page.locator('#conn[data-state="live"]').waitFor();
    expect(handshakes).toHaveLength(1);
    expect(handshakes[0].offered).toMatch(/^permessage-deflate/);
    expect(handshakes[0].answered).toBe(ANSWER);

    const before = (await get(server.http, '/stats')).body;
    expect(before.compressedConnections).toBe(1);
    await publish(server, 'packed', { text: 'squeezed once', color: '#ffd166' });
    await flying(page, 'squeezed once').waitFor();
    await publishBatch(server, 'packed', Array.from({ length: 30 }, (_, i) => ({ text: `batch ${i} 前方高能` })));
    await listed(page, 'batch 29 前方高能').waitFor();
    // A comment sent from the page: Chromium compresses it, the server inflates it.
    await page.locator('#text').fill('typed in the browser');
    await page.locator('#text').press('Enter');
    await listed(page, 'typed in the browser').waitFor();

    const after = (await get(server.http, '/stats')).body;
    expect(after.deflateCalls).toBeGreaterThan(before.deflateCalls);
    expect(after.bytesOut - before.bytesOut).toBeLessThan(after.plainBytesOut - before.plainBytesOut);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("go-push's client flow (JOIN 默认房间, PING, /push/room) negotiates it and gets the items verbatim", async () => {
    const page = await browser.newPage();
    const handshakes = await recordHandshakes(page);
    await page.goto(`${server.http}/`);
    // What go-push's client.html does with its Open and JOIN buttons.
    await page.evaluate(async (url) => {
      const w = window as any;
      w.received = [];
      const ws = new WebSocket(url);
      ws.onmessage = (event) => w.received.push(event.data);
      await new Promise((resolve) => (ws.onopen = resolve));
      ws.send(JSON.stringify({ type: 'PING', data: {} }));
      ws.send(JSON.stringify({ type: 'JOIN', data: { room: '默认房间' } }));
    }, server.ws);
    const received = () => page.evaluate(() => (window as any).received as string[]);
    await expect.poll(async () => (await received()).some((text) => text.includes('"JOINED"'))).toBe(true);
    expect(handshakes.map((h) => h.answered)).toEqual([ANSWER]);

    const items = '[{"msg": "你好", "n": 1.50},"plain"]';
    expect((await postForm(server.http, '/push/room', { room: '默认房间', items })).status).toBe(200);
    await expect.poll(async () => (await received()).find((text) => text.includes('"PUSH"'))).toBe(
      `{"type":"PUSH","data":{"room":"默认房间","items":${items}}}`,
    );
    expect(await received()).toContain('{"type":"PONG","data":{}}');
    await page.close();
  });
});
