import { SignJWT } from 'jose';
import type { Browser } from 'playwright-core';
import { postJson } from '../support/http.js';
import { type RunningServer, startServer } from '../support/server.js';
import { flying, launchChromium, listed, openRoom, resultPath } from './support.js';

const SECRET = 'viewer-secret-for-tests';
const tokenFor = (sub: string) => new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));

async function pushTo(server: RunningServer, user: string, text: string): Promise<void> {
  const answer = await postJson(server.http, `/users/${encodeURIComponent(user)}/messages`, { text });
  if (answer.status !== 202) throw new Error(`push answered ${answer.status}: ${answer.text}`);
}

// A message POSTed to one user shows on that viewer's room page as a notice, not as a comment.
describe('room page: a message to one user', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer({ VIEWER_TOKEN_SECRET: SECRET }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows it as a notice to that user only, outside the stage and the comments list', async () => {
    const alice = await openRoom(browser, server, 'notices', { query: `?token=${await tokenFor('alice')}` });
    const bob = await openRoom(browser, server, 'notices', { query: `?token=${await tokenFor('bob')}` });

    await pushTo(server, 'alice', 'Your replay is ready <b>now</b>');
    const notice = alice.page.locator('#notices .notice');
    await notice.waitFor();
    expect(await notice.locator('p').textContent()).toBe('Your replay is ready <b>now</b>');
    expect(await alice.page.locator('#notices').getAttribute('role')).toBe('status');
    expect(await flying(alice.page, 'Your replay is ready <b>now</b>').count()).toBe(0);
    expect(await listed(alice.page, 'Your replay is ready <b>now</b>').count()).toBe(0);
    await alice.page.screenshot({ path: resultPath('user-notice.png') });

    // Bob's own, pushed after Alice's, is the only notice he sees.
    await pushTo(server, 'bob', 'Hello Bob');
    await bob.page.locator('#notices .notice', { hasText: 'Hello Bob' }).waitFor();
    expect(await bob.page.locator('#notices .notice').count()).toBe(1);

    await notice.locator('.notice-close').click();
    await notice.waitFor({ state: 'detached' });
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
    await Promise.all([alice.page.close(), bob.page.close()]);
  });
});
