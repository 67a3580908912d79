import { readFileSync } from 'node:fs';

/** Where the service's routes start: '' or '/live' for a routePrefix of 'live'. */
export function pageBase(prefix: string): string {
  return prefix ? `/${prefix}` : '';
}

/**
 * The page's HTML for a service mounted under `base`, read once: its absolute links gain
 * the prefix and the scripts learn it from the danmaku-base meta tag.
 */
export function loadPageHtml(base: string): string {
  const html = readFileSync(new URL('./public/index.html', import.meta.url), 'utf8');
  if (!base) return html;
  return html
    .replace('<meta name="danmaku-base" content="">', `<meta name="danmaku-base" content="${base}">`)
    .replaceAll('"/assets/', `"${base}/assets/`)
    .replaceAll('href="/"', `href="${base}/"`);
}
