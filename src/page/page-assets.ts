import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

export interface PageAsset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Only plain file names: no separators, no leading dot, nothing that could climb out. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * The page's files, read once at start-up from one flat folder into memory. A request
 * can only name a key of this map, so no path it carries ever reaches the file system.
 */
export function loadPageAssets(folder: string): Map<string, PageAsset> {
  const assets = new Map<string, PageAsset>();
  for (const name of readdirSync(folder)) {
    const type = TYPES[extname(name)];
    if (!type || !ASSET_NAME.test(name)) continue;
    const path = join(folder, name);
    if (!statSync(path).isFile()) continue;
    const body = readFileSync(path);
    const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`;
    assets.set(name, { body, type, etag });
  }
  return assets;
}

/**
 * The page's HTML for a service mounted under `base` ('' or '/live'): its absolute links
 * gain the prefix and the scripts learn it from the danmaku-base meta tag.
 */
export function mountedHtml(html: PageAsset, base: string): PageAsset {
  if (!base) return html;
  const text = html.body
    .toString('utf8')
    .replace('<meta name="danmaku-base" content="">', `<meta name="danmaku-base" content="${base}">`)
    .replaceAll('"/assets/', `"${base}/assets/`)
    .replaceAll('href="/"', `href="${base}/"`);
  const body = Buffer.from(text, 'utf8');
  return { ...html, body, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"` };
}

export function isAssetName(name: string): boolean {
  return ASSET_NAME.test(name) && !name.includes('..');
}
