import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { postJson, roomPath } from '../support/http.js';
import type { RunningServer } from '../support/server.js';

/** Debian's chromium, never a downloaded browser (scripts/test-services.sh installs it). */
export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Where a test run leaves its screenshots (gitignored). */
export const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));

export function resultPath(name: string): string {
  mkdirSync(RESULTS, { recursive: true });
  return `${RESULTS}${name}`;
}

export interface RoomPage {
  page: Page;
  /** Uncaught errors in the page: a test ends by expecting none. */
  errors: string[];
}

/** Opens /room/:room and resolves once the page has joined (JOINED received). */
export async function openRoom(
  browser: Browser,
  server: RunningServer,
  room: string,
  { query = '', width = 1280, height = 800 } = {},
): Promise<RoomPage> {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.http}/room/${encodeURIComponent(room)}${query}`);
  await page.locator('#conn[data-state="live"]').waitFor();
  return { page, errors };
}

export interface Comment {
  text: string;
  color?: string;
  mode?: 'scroll' | 'top' | 'bottom';
}

export async function publish(server: RunningServer, room: string, comment: Comment): Promise<{ id: string; seq: number }> {
  const answer = await postJson(server.http, `${roomPath(room)}/comments`, comment);
  if (answer.status !== 202) throw new Error(`publish answered ${answer.status}: ${answer.text}`);
  return answer.body;
}

export async function publishBatch(server: RunningServer, room: string, items: Comment[]): Promise<void> {
  const answer = await postJson(server.http, `${roomPath(room)}/comments/batch`, { items });
  if (answer.status !== 202) throw new Error(`batch answered ${answer.status}: ${answer.text}`);
}

const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** The flying element showing exactly this text. */
export function flying(page: Page, text: string) {
  return page.locator('#layer .dm').filter({ hasText: exactly(text) });
}

/** The comments-list entries whose comment text is exactly this. */
export function listed(page: Page, text: string) {
  return page.locator('#comment-list .entry').filter({ has: page.locator('.txt', { hasText: exactly(text) }) });
}

/** The page's stage counters (see DanmakuStage.stats). */
export function stageStats(page: Page): Promise<{ shown: number; dropped: number; skipped: number; queued: number; active: number; lanes: number }> {
  return page.evaluate(() => (window as any).danmaku.stage.stats());
}

/** Resolves once the flying comment's left edge has moved left of `from` by at least `by` px. */
export async function waitUntilMovedLeft(page: Page, text: string, from: number, by = 10): Promise<number> {
  const handle = await page.waitForFunction(
    ([t, x, d]) => {
      const el = [...document.querySelectorAll<HTMLElement>('#layer .dm')].find((e) => e.textContent === t);
      const now = el?.getBoundingClientRect().x;
      return now !== undefined && now < x - d ? now : false;
    },
    [text, from, by] as const,
  );
  return (await handle.jsonValue()) as number;
}

/** Rectangles of every flying comment on show (a top or bottom one held for its lane is not yet), for overlap checks. */
export function flyingRects(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('#layer .dm')].filter((el) => Number(getComputedStyle(el).opacity) > 0).map((el) => {
      const r = el.getBoundingClientRect();
      return { text: el.textContent ?? '', mode: el.dataset.mode ?? '', x: r.x, y: r.y, width: r.width, height: r.height };
    }),
  );
}

type Rect = Awaited<ReturnType<typeof flyingRects>>[number];

/** Pairs of flying comments whose boxes overlap by more than a pixel. */
export function overlapping(rects: Rect[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length; j++) {
      const a = rects[i];
      const b = rects[j];
      const dx = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const dy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (dx > 1 && dy > 1) pairs.push([a.text, b.text]);
    }
  }
  return pairs;
}

/** Resolves once the comment with this text is fully shown (top and bottom ones fade in, maybe after a wait for their lane). */
export async function waitUntilShown(page: Page, text: string): Promise<void> {
  await page.waitForFunction((t) => {
    const el = [...document.querySelectorAll<HTMLElement>('#layer .dm')].find((e) => e.textContent === t);
    return !!el && getComputedStyle(el).opacity === '1';
  }, text);
}
