// Where the service is mounted: '' at the root, '/live' under DanmakuModule's routePrefix.
// The server writes it into the page's danmaku-base meta tag.
export const BASE = document.querySelector('meta[name="danmaku-base"]')?.getAttribute('content') ?? '';

/** An absolute path of the service, under its mount point. */
export const withBase = (path) => `${BASE}${path}`;
