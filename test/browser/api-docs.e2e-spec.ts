import type { Browser } from 'playwright-core';
import { type RunningServer, startExample } from '../support/server.js';
import { launchChromium } from './support.js';

// The /docs page of a mounted DanmakuModule, in a browser that may reach nothing but the app.
describe('API page (/docs) under a prefix, offline', () => {
  let browser: Browser;
  let app: RunningServer;
  beforeAll(async () => {
    [browser, app] = await Promise.all([launchChromium(), startExample()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows every operation of the document, loading nothing from elsewhere', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const origin = new URL(app.http).origin;
    const elsewhere: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin || url.startsWith('data:')) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    await page.goto(`${app.http}/live/docs`);
    await page.locator('.opblock-summary-path[data-path="/live/push/room"]').first().waitFor();
    const document = await (await fetch(`${app.http}/live/openapi.json`)).json();
    const operations = Object.values(document.paths as Record<string, object>).reduce((sum, item) => sum + Object.keys(item).length, 0);
    expect(await page.locator('.opblock').count()).toBe(operations);

    // The go-push form is shown as a form body.
    await page.locator('.opblock-summary-path[data-path="/live/push/room"]').first().click();
    const body = page.locator('.opblock-body');
    await body.locator('option[value="application/x-www-form-urlencoded"]').waitFor({ state: 'attached' });
    await body.getByText('A JSON array; each element is delivered as written').waitFor();
    expect(elsewhere).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
