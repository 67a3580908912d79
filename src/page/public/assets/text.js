// Small pure helpers shared by the lobby and the room page.
import { withBase } from './base.js';

export const MAX_TEXT_CHARS = 200;
export const MAX_ROOM_CHARS = 64;
export const COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;
export const MODES = ['scroll', 'top', 'bottom'];
const CONTROL = /\p{Cc}/u;

/** Length in Unicode code points, as the server counts "characters". */
export function codePoints(text) {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function isValidRoomId(value) {
  if (typeof value !== 'string' || value.length === 0) return false;
  const n = codePoints(value);
  return n <= MAX_ROOM_CHARS && !CONTROL.test(value);
}

/** First `max` code points of a string. */
export function clip(text, max) {
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (++n > max) return out + '…';
    out += ch;
  }
  return out;
}

/** One line of plain text: newlines and other control characters become spaces. */
function oneLine(text) {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');
}

/**
 * Turns whatever a PUSH item is into something displayable. Items published through this
 * server's API are objects with text/color/mode; go-push items are arbitrary JSON. Nothing
 * here ever becomes HTML: the result is only ever used as textContent.
 */
export function normalizeItem(raw) {
  if (raw === null || raw === undefined) return null;
  let text;
  let color = '#ffffff';
  let mode = 'scroll';
  let id = null;
  let seq = null;
  let user;
  let ts;
  let count = 1;
  if (typeof raw === 'string') text = raw;
  else if (typeof raw === 'number' || typeof raw === 'boolean') text = String(raw);
  else if (typeof raw === 'object' && !Array.isArray(raw)) {
    if (typeof raw.text === 'string') text = raw.text;
    else if (typeof raw.msg === 'string') text = raw.msg;
    else if (typeof raw.message === 'string') text = raw.message;
    else text = safeJson(raw);
    if (typeof raw.color === 'string' && COLOR_PATTERN.test(raw.color)) color = raw.color.toLowerCase();
    if (MODES.includes(raw.mode)) mode = raw.mode;
    if (typeof raw.id === 'string' || typeof raw.id === 'number') id = String(raw.id);
    if (Number.isSafeInteger(raw.seq)) seq = raw.seq;
    if (typeof raw.user === 'string') user = raw.user;
    if (Number.isFinite(raw.ts)) ts = raw.ts;
    // Duplicate folding (FOLD_DUPLICATES): one item standing for N identical comments.
    if (Number.isSafeInteger(raw.count) && raw.count > 1) count = raw.count;
  } else text = safeJson(raw);
  text = clip(oneLine(text).trim(), MAX_TEXT_CHARS);
  if (!text) return null;
  if (count > 1) text += ` ×${count}`;
  return { id, seq, text, color, mode, user, ts: ts ?? Date.now() };
}

function safeJson(value) {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** True for colours too dark to read on a dark stage without a light outline. */
export function isDark(hex) {
  const n = parseInt(hex.slice(1), 16);
  const r = (n >> 16) & 255;
  const g = (n >> 8) & 255;
  const b = n & 255;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 60;
}

/** The page's own query parameters worth carrying from page to page. */
export function carriedQuery() {
  // Everything the page was opened with: the video, and the viewer's credentials
  // (`token`, or a host app's own).
  const s = new URLSearchParams(location.search).toString();
  return s ? `?${s}` : '';
}

export function roomHref(room) {
  return withBase(`/room/${encodeURIComponent(room)}${carriedQuery()}`);
}

export function clock(ts) {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Stored viewer preferences (colour, mode, opacity ...), never trusted blindly. */
export const prefs = {
  get(key, fallback) {
    try {
      const value = localStorage.getItem(`danmaku.${key}`);
      return value === null ? fallback : JSON.parse(value);
    } catch {
      return fallback;
    }
  },
  set(key, value) {
    try {
      localStorage.setItem(`danmaku.${key}`, JSON.stringify(value));
    } catch {
      // private mode or storage full: preferences simply do not stick
    }
  },
};
