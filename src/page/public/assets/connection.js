// The room's WebSocket: JOIN with resume, heartbeats, and reconnection with full-jitter
// exponential backoff. It knows the protocol; it knows nothing about the DOM.

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 20_000;
const PING_MIN_MS = 12_000;
const PING_MAX_MS = 18_000;
/** A PING unanswered for this long means a dead socket: replace it. */
const PONG_TIMEOUT_MS = 10_000;
/** Item ids remembered to drop the duplicates a resume may bring. */
const SEEN_IDS = 4096;

const CLOSE_POLICY = 1008;
/** A connection live this long before it dropped starts the backoff over. */
const STABLE_MS = 10_000;

/**
 * States: 'connecting' (socket opening or JOIN sent), 'live' (JOINED), 'waiting'
 * (closed; retrying at `retryAt`), 'stopped' (will not retry: `reason` says why).
 */
export class RoomConnection {
  /**
   * @param {{ room: string, url: string, authUrl: string, on: Record<string, Function> }} options
   * `on` may hold: state(s), items(list, { replay }), joined(data), online(n), ack(data),
   * error(data), gap(), notice(data) (a PUSH to this viewer alone).
   */
  constructor({ room, url, authUrl, on }) {
    this.room = room;
    this.url = url;
    this.authUrl = authUrl;
    this.on = on;
    this.ws = null;
    this.attempt = 0;
    this.lastSeq = null;
    this.joinedAt = 0;
    this.state = { name: 'idle' };
    this.seen = new Set();
    this.seenOrder = [];
    this.retryTimer = 0;
    this.pingTimer = 0;
    this.lastHeard = 0;
    this.everJoined = false;
    this.stopped = false;
    // Back online: skip the rest of the wait (never after a deliberate stop).
    this.onOnline = () => {
      if (this.state.name === 'waiting') this.retryNow();
    };
    window.addEventListener('online', this.onOnline);
  }

  start() {
    this.stopped = false;
    this.open();
  }

  /** Sends a client frame; false when not live. */
  send(type, data) {
    if (this.state.name !== 'live' || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ type, data }));
    return true;
  }

  /** Skips the rest of the current backoff wait (after 'stopped' too: a manual retry). */
  retryNow() {
    if (this.state.name !== 'waiting' && this.state.name !== 'stopped') return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.stopped = false;
    this.open();
  }

  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stopPing();
    window.removeEventListener('online', this.onOnline);
    if (this.ws) this.ws.close(1000);
  }

  setState(state) {
    this.state = state;
    this.on.state?.(state);
  }

  open() {
    this.setState({ name: 'connecting', attempt: this.attempt });
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    const session = { opened: false, joining: true, since: this.lastSeq, buffer: [] };
    ws.onopen = () => {
      session.opened = true;
      this.lastHeard = Date.now();
      const data = session.since === null ? { room: this.room } : { room: this.room, since: session.since };
      ws.send(JSON.stringify({ type: 'JOIN', data }));
      this.startPing(ws);
    };
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      if (typeof event.data !== 'string') return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame.type === 'string') this.handle(frame.type, frame.data ?? {}, session);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ended(event.code, session.opened);
    };
    // An error is always followed by close; nothing to do here.
    ws.onerror = () => {};
  }

  handle(type, data, session) {
    switch (type) {
      case 'PUSH': {
        // A message to this viewer alone (room null and a `to`): not a comment of any room.
        if (data.room === null && typeof data.to === 'string') return this.on.notice?.(data);
        const items = Array.isArray(data.items) ? data.items : [];
        if (data.room === null) return this.deliver(items, false);
        if (data.room !== this.room) return;
        // Frames before JOINED are the resume's replay (and maybe live items that raced it).
        if (session.joining) session.buffer.push(...items);
        else this.deliver(items, false);
        return;
      }
      case 'JOINED': {
        if (data.room !== this.room) return;
        session.joining = false;
        const seq = Number.isSafeInteger(data.seq) ? data.seq : 0;
        const since = session.since;
        // A since beyond the server's last seq means it lost its memory (a restart): every
        // item it has is new to us. Otherwise keep only what came after since.
        const restarted = since !== null && seq < since;
        const replay = session.buffer.filter(
          (item) => restarted || since === null || !Number.isSafeInteger(item?.seq) || item.seq > since,
        );
        session.buffer = [];
        this.lastSeq = seq;
        this.joinedAt = Date.now();
        this.everJoined = true;
        this.setState({ name: 'live' });
        this.on.joined?.({ ...data, resumed: since !== null, restarted });
        if (typeof data.online === 'number') this.on.online?.(data.online);
        this.deliver(replay, since !== null);
        if (data.gap === true) this.on.gap?.();
        return;
      }
      case 'ONLINE':
        if (data.room === this.room && typeof data.online === 'number') this.on.online?.(data.online);
        return;
      case 'ACK':
        this.on.ack?.(data);
        return;
      case 'ERROR':
        if (data.ref === 'JOIN' && session.joining) {
          // A room the server refuses now will be refused on every retry.
          this.stopped = true;
          this.setState({ name: 'stopped', reason: 'refused', code: data.code, message: data.message });
          this.ws?.close(1000);
          return;
        }
        this.on.error?.(data);
        return;
      default:
        // PONG, LEFT and anything newer: nothing to do (any frame counts as heard).
        return;
    }
  }

  deliver(items, replay) {
    const fresh = [];
    for (const item of items) {
      if (item && typeof item === 'object' && Number.isSafeInteger(item.seq) && item.room === this.room) {
        if (this.lastSeq === null || item.seq > this.lastSeq) this.lastSeq = item.seq;
      }
      const id = item && typeof item === 'object' && typeof item.id === 'string' ? item.id : null;
      if (id !== null) {
        if (this.seen.has(id)) continue;
        this.seen.add(id);
        this.seenOrder.push(id);
        if (this.seenOrder.length > SEEN_IDS) this.seen.delete(this.seenOrder.shift());
      }
      fresh.push(item);
    }
    if (fresh.length) this.on.items?.(fresh, { replay });
  }

  startPing(ws) {
    this.stopPing();
    let pingSentAt = 0;
    const next = () => PING_MIN_MS + Math.random() * (PING_MAX_MS - PING_MIN_MS);
    const tick = () => {
      if (this.ws !== ws || ws.readyState !== WebSocket.OPEN) return;
      // Dead only if the last PING went unanswered for a while: a background tab's
      // throttled timers may fire late, but its messages still arrive.
      if (pingSentAt && this.lastHeard < pingSentAt && Date.now() - pingSentAt > PONG_TIMEOUT_MS) {
        // Half-open socket: give up on it without waiting for a close handshake.
        this.ws = null;
        ws.onclose = null;
        ws.close();
        this.ended(1006, true);
        return;
      }
      pingSentAt = Date.now();
      ws.send('{"type":"PING","data":{}}');
      this.pingTimer = setTimeout(tick, next());
    };
    this.pingTimer = setTimeout(tick, next());
  }

  stopPing() {
    clearTimeout(this.pingTimer);
  }

  async ended(code, opened) {
    this.stopPing();
    this.ws = null;
    this.on.closed?.(code);
    if (this.stopped) return;
    if (code === CLOSE_POLICY) {
      this.stopped = true;
      this.setState({ name: 'stopped', reason: 'policy', code });
      return;
    }
    if (!opened && (await this.unauthorized())) {
      this.stopped = true;
      this.setState({ name: 'stopped', reason: 'unauthorized', code: 401 });
      return;
    }
    this.scheduleRetry();
  }

  /** A refused upgrade looks like any network error to a page; ask the server why. */
  async unauthorized() {
    try {
      const response = await fetch(this.authUrl, { cache: 'no-store' });
      if (!response.ok) return false;
      const answer = await response.json();
      return answer.required === true && answer.valid === false;
    } catch {
      return false;
    }
  }

  scheduleRetry() {
    if (this.stopped) return;
    // Only a connection that stayed up a while resets the backoff: a server that accepts
    // and drops at once must not be hammered.
    if (this.joinedAt && Date.now() - this.joinedAt > STABLE_MS) this.attempt = 0;
    this.joinedAt = 0;
    // Full jitter: anywhere between nothing and the capped exponential step.
    const cap = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    const delay = Math.max(50, Math.random() * cap);
    this.attempt++;
    const retryAt = Date.now() + delay;
    this.setState({ name: 'waiting', retryAt, attempt: this.attempt });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }
}
