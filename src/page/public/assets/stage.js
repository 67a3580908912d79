// The flying comments. Each comment is one absolutely positioned element moved by the
// Web Animations API (transform only, so the compositor does the work); widths come from
// canvas text metrics, so placing a comment never forces a layout.

import { isDark } from './text.js';

export const FONT_FAMILY =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Hiragino Sans", "Microsoft YaHei", sans-serif';
const FONT_WEIGHT = 700;
/** Every scrolling comment crosses the stage in this time, so longer ones move faster. */
const SCROLL_MS = 7500;
/** Top and bottom comments stay this long. */
const FIXED_MS = 5000;
/** A comment that finds no free lane waits at most this long, then it is dropped. */
const MAX_WAIT_MS = 1500;
/** The viewer's own comments are never dropped for waiting (they jump the queue anyway). */
const OWN_MAX_WAIT_MS = 8000;
/** New elements per frame at most, so a burst never costs one long frame. */
const MAX_PLACED_PER_FRAME = 24;
const PADDING_X = 6;
/** A top or bottom comment may be held this long for a lane to clear under it. */
const FIXED_RESERVE_MS = 2500;
/** Top and bottom comments are shrunk at most to this scale to fit the stage. */
const MIN_FIXED_SCALE = 0.6;

export class DanmakuStage {
  constructor(layer) {
    this.layer = layer;
    this.ctx = document.createElement('canvas').getContext('2d');
    this.queue = [];
    this.active = new Set();
    this.lanes = [];
    this.paused = false;
    this.pausedAt = 0;
    this.density = 1;
    this.width = 0;
    this.height = 0;
    this.raf = 0;
    this.counters = { shown: 0, dropped: 0, skipped: 0 };
    layer.style.fontFamily = FONT_FAMILY;
    layer.style.fontWeight = String(FONT_WEIGHT);
    new ResizeObserver((entries) => {
      const box = entries[entries.length - 1].contentRect;
      this.resize(box.width, box.height);
    }).observe(layer);
    document.addEventListener('visibilitychange', () => {
      // A background tab gets no frames: whatever waits now would only be stale later.
      if (document.hidden) this.dropQueue('skipped');
    });
  }

  resize(width, height) {
    this.width = Math.round(width);
    this.height = Math.round(height);
    this.fontSize = Math.max(15, Math.min(36, Math.round(height * 0.052)));
    // Whole lanes of at least 1.45 lines each, sharing out what is left so the last
    // lane (where bottom comments sit) is near the bottom edge.
    this.laneCount = Math.max(1, Math.floor((height - 8) / Math.round(this.fontSize * 1.45)));
    this.laneHeight = (height - 8) / this.laneCount;
    this.gap = Math.round(this.fontSize * 1.2);
    this.layer.style.fontSize = `${this.fontSize}px`;
    this.ctx.font = `${FONT_WEIGHT} ${this.fontSize}px ${FONT_FAMILY}`;
    if (this.queue.length) this.schedule();
  }

  /** Share of the stage's lanes that comments may use, 0.1 to 1. */
  setDensity(fraction) {
    this.density = Math.max(0.1, Math.min(1, fraction));
  }

  setOpacity(fraction) {
    this.layer.style.opacity = String(Math.max(0.05, Math.min(1, fraction)));
  }

  setPaused(paused) {
    if (paused === this.paused) return;
    this.paused = paused;
    const now = performance.now();
    if (paused) {
      this.pausedAt = now;
      for (const flying of this.active) flying.animation.pause();
      this.dropQueue('skipped');
      return;
    }
    // The lanes' clocks stood still while the comments did.
    const shift = now - this.pausedAt;
    const shifted = new Set();
    for (const lane of this.lanes) {
      if (!lane) continue;
      for (const flight of [lane.last, ...lane.scrolls]) {
        if (flight && !shifted.has(flight)) {
          shifted.add(flight);
          flight.start += shift;
        }
      }
      if (lane.fixed) {
        lane.fixed.from += shift;
        lane.fixed.until += shift;
      }
    }
    for (const flying of this.active) flying.animation.play();
  }

  /**
   * Queues a comment to fly; the viewer's own comments jump the queue.
   * @returns a handle for `remove`, or null when the comment will not be shown.
   */
  add(item, own = false) {
    if (!own && (document.hidden || this.paused)) {
      this.counters.skipped++;
      return null;
    }
    if (this.paused) return null;
    const entry = { item, own, at: performance.now(), flying: null };
    if (own) {
      const firstOther = this.queue.findIndex((e) => !e.own);
      this.queue.splice(firstOther < 0 ? this.queue.length : firstOther, 0, entry);
    } else {
      this.queue.push(entry);
      const limit = Math.max(24, this.usable(this.laneCount ?? 12) * 3);
      while (this.queue.length > limit) {
        const oldest = this.queue.findIndex((e) => !e.own);
        if (oldest < 0) break;
        this.queue.splice(oldest, 1);
        this.counters.dropped++;
      }
    }
    this.schedule();
    return entry;
  }

  /** Takes a comment off the stage (or out of the queue). */
  remove(entry) {
    if (!entry) return;
    const index = this.queue.indexOf(entry);
    if (index >= 0) this.queue.splice(index, 1);
    entry.flying?.animation.cancel();
  }

  stats() {
    return { ...this.counters, queued: this.queue.length, active: this.active.size, lanes: this.laneCount ?? 0 };
  }

  dropQueue(counter) {
    this.counters[counter] += this.queue.length;
    this.queue.length = 0;
  }

  schedule() {
    if (!this.raf) this.raf = requestAnimationFrame(() => this.frame());
  }

  usable(count) {
    return Math.max(1, Math.round(count * this.density));
  }

  frame() {
    this.raf = 0;
    if (this.paused || !this.width) return;
    const now = performance.now();
    // Stale first: comments waited too long are dropped rather than piled up.
    for (let i = 0; i < this.queue.length; ) {
      const entry = this.queue[i];
      if (now - entry.at > (entry.own ? OWN_MAX_WAIT_MS : MAX_WAIT_MS)) {
        this.queue.splice(i, 1);
        this.counters.dropped++;
      } else i++;
    }
    const placed = [];
    const blocked = { scroll: false, top: false, bottom: false };
    for (let i = 0; i < this.queue.length && placed.length < MAX_PLACED_PER_FRAME; ) {
      const entry = this.queue[i];
      const mode = entry.item.mode;
      if (blocked[mode]) {
        i++;
        continue;
      }
      const spot = this.place(entry, now);
      if (spot) {
        placed.push(spot);
        this.queue.splice(i, 1);
      } else {
        blocked[mode] = true;
        i++;
      }
    }
    if (placed.length) this.render(placed);
    if (this.queue.length) this.schedule();
  }

  measure(text) {
    return Math.ceil(this.ctx.measureText(text).width) + 2 * PADDING_X;
  }

  lane(i) {
    return (this.lanes[i] ??= { last: null, scrolls: [], fixed: null });
  }

  /**
   * Finds a lane where this comment can never touch another, whatever their modes;
   * null when none is free. Scrolling and top comments fill lanes from the top, bottom
   * comments from the bottom; the density setting limits how many lanes each may use.
   */
  place(entry, now) {
    const { text } = entry.item;
    const width = this.measure(text);
    const usable = this.usable(this.laneCount);
    const W = this.width;
    // A top or bottom comment a bit wider than the stage is shrunk to fit; one far too
    // wide to read that way flies instead.
    const room = W - 2 * PADDING_X;
    const mode = entry.item.mode !== 'scroll' && width * MIN_FIXED_SCALE > room ? 'scroll' : entry.item.mode;
    if (mode === 'scroll') {
      const speed = (W + width) / SCROLL_MS;
      for (let i = 0; i < usable; i++) {
        const lane = this.lane(i);
        const last = lane.last;
        // Free once the last comment's tail (plus a gap) has come in, and late enough
        // that this one, if faster, reaches the left edge only after that one has gone.
        if (last) {
          const clearAt = last.start + (last.width + this.gap) / last.speed;
          const catchUpAt = last.start + SCROLL_MS - (W - this.gap) / speed;
          if (now < Math.max(clearAt, catchUpAt)) continue;
        }
        // Nor may it cross a top or bottom comment's span while that one shows (or will).
        const fixed = lane.fixed;
        if (fixed && fixed.until > now) {
          const headIn = now + (W - fixed.right) / speed;
          const tailOut = now + (W + width - fixed.left) / speed;
          if (headIn < fixed.until && tailOut > fixed.from) continue;
        }
        const flight = { start: now, speed, width };
        lane.last = flight;
        lane.scrolls = lane.scrolls.filter((s) => s.start + SCROLL_MS > now);
        lane.scrolls.push(flight);
        return { entry, mode, width, y: this.laneY(i) };
      }
      return null;
    }
    const scale = width > room ? room / width : 1;
    const shown = Math.ceil(width * scale);
    const left = (W - shown) / 2 - this.gap / 2;
    const right = (W + shown) / 2 + this.gap / 2;
    // The first lane where no scrolling comment crosses the centre span for the whole
    // stay; failing that, the lane that clears soonest is reserved (no new scrolling
    // comment may cross it) and the comment shows once it has cleared, if that is soon.
    let best = null;
    for (let k = 0; k < usable; k++) {
      const i = mode === 'top' ? k : this.laneCount - 1 - k;
      const lane = this.lane(i);
      if (lane.fixed && lane.fixed.until > now) continue;
      lane.scrolls = lane.scrolls.filter((s) => s.start + SCROLL_MS > now);
      let from = now;
      for (const s of lane.scrolls) {
        const headIn = s.start + (W - right) / s.speed;
        const tailOut = s.start + (W + s.width - left) / s.speed;
        if (headIn < from + FIXED_MS && tailOut > from) from = tailOut;
      }
      if (!best || from < best.from) best = { i, lane, from };
      if (from === now) break;
    }
    if (!best || best.from - now > FIXED_RESERVE_MS) return null;
    best.lane.fixed = { from: best.from, until: best.from + FIXED_MS, left, right };
    return { entry, mode, width: shown, scale, y: this.laneY(best.i), delay: best.from - now };
  }

  laneY(i) {
    return Math.round(4 + i * this.laneHeight);
  }

  render(placed) {
    const fragment = document.createDocumentFragment();
    const started = [];
    for (const spot of placed) {
      const { item, own } = spot.entry;
      const el = document.createElement('div');
      el.className = `dm${own ? ' own' : ''}${isDark(item.color) ? ' dark' : ''}`;
      el.textContent = item.text;
      el.style.color = item.color;
      el.dataset.mode = spot.mode;
      if (item.id) el.dataset.id = item.id;
      if (spot.scale && spot.scale < 1) el.style.fontSize = `${(this.fontSize * spot.scale).toFixed(1)}px`;
      if (spot.mode !== 'scroll') {
        el.style.transform = `translate3d(${Math.round((this.width - spot.width) / 2)}px, ${spot.y}px, 0)`;
      }
      fragment.append(el);
      started.push({ el, spot });
    }
    this.layer.append(fragment);
    for (const { el, spot } of started) {
      const animation =
        spot.mode === 'scroll'
          ? el.animate(
              [
                { transform: `translate3d(${this.width}px, ${spot.y}px, 0)` },
                { transform: `translate3d(${-spot.width}px, ${spot.y}px, 0)` },
              ],
              { duration: SCROLL_MS, easing: 'linear', fill: 'both' },
            )
          : el.animate([{ opacity: 0 }, { opacity: 1, offset: 0.04 }, { opacity: 1, offset: 0.92 }, { opacity: 0 }], {
              duration: FIXED_MS,
              delay: spot.delay,
              fill: 'both',
            });
      const flying = { el, animation };
      spot.entry.flying = flying;
      this.active.add(flying);
      const done = () => {
        el.remove();
        this.active.delete(flying);
      };
      animation.onfinish = done;
      animation.oncancel = done;
      this.counters.shown++;
    }
  }
}
