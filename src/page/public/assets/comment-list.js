// The comments list beside the stage: a role="log" live region screen readers follow.
// New entries are written once per frame; only the newest MAX_ENTRIES are kept.

import { clock } from './text.js';

const MAX_ENTRIES = 120;

export class CommentList {
  constructor(list) {
    this.list = list;
    this.recent = [];
    this.pending = [];
    this.visible = true;
    this.raf = 0;
  }

  /** entry: { text, color?, mode?, own?, user?, ts?, system?, state? }; returns the entry. */
  add(entry) {
    this.recent.push(entry);
    if (this.recent.length > MAX_ENTRIES) this.recent.splice(0, this.recent.length - MAX_ENTRIES);
    if (this.visible) {
      this.pending.push(entry);
      if (this.pending.length > MAX_ENTRIES) this.pending.splice(0, this.pending.length - MAX_ENTRIES);
      if (!this.raf) this.raf = requestAnimationFrame(() => this.flush());
    }
    return entry;
  }

  system(text) {
    return this.add({ system: true, text, ts: Date.now() });
  }

  /** Updates an own entry's delivery state: 'sending', 'sent' or 'failed' (with a reason). */
  setState(entry, state, reason) {
    entry.state = state;
    entry.reason = reason;
    if (entry.li) this.decorate(entry);
  }

  setVisible(visible) {
    this.visible = visible;
    if (!visible) {
      this.pending = [];
      return;
    }
    this.list.replaceChildren();
    this.pending = this.recent.slice();
    this.flush();
  }

  flush() {
    this.raf = 0;
    if (!this.pending.length) return;
    const fragment = document.createDocumentFragment();
    // Newest first in the DOM; the list is laid out column-reverse, so it reads
    // top to bottom and sticks to the newest without any scrolling code.
    for (let i = this.pending.length - 1; i >= 0; i--) fragment.append(this.render(this.pending[i]));
    this.pending = [];
    this.list.prepend(fragment);
    while (this.list.childElementCount > MAX_ENTRIES) this.list.lastElementChild.remove();
  }

  render(entry) {
    const li = document.createElement('li');
    entry.li = li;
    if (entry.system) {
      li.className = 'entry system';
      li.textContent = entry.text;
      return li;
    }
    const dot = document.createElement('span');
    dot.className = 'dot';
    dot.setAttribute('aria-hidden', 'true');
    dot.style.backgroundColor = entry.color ?? '#ffffff';
    const body = document.createElement('span');
    body.className = 'body';
    if (entry.own || entry.user) {
      const who = document.createElement('span');
      who.className = 'who';
      who.textContent = entry.own ? 'You' : entry.user;
      body.append(who, ': ');
    }
    const text = document.createElement('span');
    text.className = 'txt';
    text.textContent = entry.text;
    body.append(text);
    if (entry.mode && entry.mode !== 'scroll') {
      const mode = document.createElement('span');
      mode.className = 'mode';
      mode.textContent = entry.mode;
      body.append(' ', mode);
    }
    const time = document.createElement('time');
    time.dateTime = new Date(entry.ts ?? Date.now()).toISOString();
    time.textContent = clock(entry.ts ?? Date.now());
    li.append(dot, body, time);
    this.decorate(entry);
    return li;
  }

  decorate(entry) {
    const li = entry.li;
    li.className = `entry${entry.own ? ' own' : ''}${entry.state ? ` ${entry.state}` : ''}`;
    let note = li.querySelector('.note');
    const words = entry.state === 'sending' ? 'sending…' : entry.state === 'failed' ? `not sent: ${entry.reason ?? 'refused'}` : '';
    if (!words) {
      note?.remove();
      return;
    }
    if (!note) {
      note = document.createElement('span');
      note.className = 'note';
      li.querySelector('.body').append(note);
    }
    note.textContent = ` (${words})`;
  }
}
