import { Backoff, type BackoffOptions } from './backoff.js';
import { DanmakuError } from './errors.js';
import { Listeners } from './listeners.js';
import {
  type AckData,
  type ClientFrame,
  CloseCode,
  type CommentMode,
  type ErrorData,
  isComment,
  type JoinData,
  type JoinedData,
  type OnlineData,
  type PushItem,
} from './protocol.js';
import { Session } from './session.js';
import { abandon, globalWebSocket, refusedStatus, type SocketErrorEvent, type WebSocketClass, viewerAuthUrl, withToken } from './socket.js';
import { SeenIds } from './seen-ids.js';

export interface DanmakuClientOptions {
  /** The server's socket, e.g. `ws://localhost:7777/connect` (with any query a custom authenticator reads). */
  url: string;
  /** A viewer token (JWT), sent as `?token=`. */
  token?: string;
  /** Rooms to join on every connection; more with `join()`. */
  rooms?: string[];
  /** The WebSocket class where there is no global one (Node 20: `WebSocket` from `ws`). */
  WebSocket?: WebSocketClass;
  /** Time between PINGs, each wait jittered by ±20 % (default 15000). */
  pingIntervalMs?: number;
  /** A PING unanswered (nothing at all heard) for this long means a dead link (default 10000). */
  pongTimeoutMs?: number;
  /** A socket not open after this long is given up on (default 10000). */
  connectTimeoutMs?: number;
  /** A comment with neither ACK nor ERROR after this long is rejected with TIMEOUT (default 10000). */
  commentTimeoutMs?: number;
  /** Reconnection waits (full jitter). */
  backoff?: BackoffOptions;
  /**
   * Asked after an upgrade failed for a reason the WebSocket API does not show (browsers
   * never see the 401): `{"required": true, "valid": false}` means the token is missing or
   * bad, and the client stops instead of retrying. Default: `/api/viewer-auth` beside
   * `/connect`; false: never ask.
   */
  authCheckUrl?: string | false;
  /** Item ids remembered to drop the duplicates a resume may bring (default 4096). */
  rememberIds?: number;
}

/**
 * idle: not started. connecting: opening the socket or (re-)joining its rooms. live: open,
 * and every room it had when the socket opened answered (rooms joined later do not change it). waiting: closed, retrying at `retryAt`. stopped: will not retry by
 * itself (1008, or 401): `retryNow()` tries anyway. closed: `close()` was called.
 */
export type ClientState =
  | { name: 'idle' }
  | { name: 'connecting'; attempt: number }
  | { name: 'live' }
  | { name: 'waiting'; retryAt: number; attempt: number }
  | { name: 'stopped'; reason: 'policy' | 'unauthorized'; code: number }
  | { name: 'closed' };

export interface ItemContext {
  /** The PUSH's room: null for a broadcast or a message to one user. */
  room: string | null;
  /** The user a one-user message was sent to. */
  to?: string;
  /** Replayed by a resume (sent before JOINED), not live. */
  replay: boolean;
}

/** One PUSH frame as delivered: only items not seen before. */
export interface DeliveredPush extends ItemContext {
  items: PushItem[];
}

export interface JoinedInfo extends JoinedData {
  gap: boolean;
  /** JOIN carried `since` (a re-JOIN after a reconnection). */
  resumed: boolean;
  /** The server no longer has the room's history this client saw (a restart, a new epoch): what it replayed is all new. */
  historyLost: boolean;
}

export interface CommentInput {
  text: string;
  color?: string;
  mode?: CommentMode;
  /** Default: one the client makes up. */
  cid?: string;
}

export interface RoomStatus {
  room: string;
  /** The last seq seen (null before the first JOINED): the next JOIN's `since`. */
  lastSeq: number | null;
  /** The room's history epoch from the last JOINED, if the server sends one. */
  epoch: string | undefined;
  /** JOINED on the current socket. */
  joined: boolean;
}

export interface DanmakuClientEvents {
  state: (state: ClientState) => void;
  /** Each new PUSH item, in order. */
  item: (item: PushItem, context: ItemContext) => void;
  /** Each PUSH frame that brought new items. */
  push: (push: DeliveredPush) => void;
  joined: (info: JoinedInfo) => void;
  /** From JOINED and ONLINE. */
  online: (online: OnlineData) => void;
  /** A resume could not bring back everything missed in this room. */
  gap: (gap: { room: string }) => void;
  /** A JOIN the server refused for good (BAD_ROOM, ROOM_LIMIT, …): the room is dropped. */
  refused: (refusal: { room: string; error: DanmakuError }) => void;
  /** An ERROR frame that answers no comment or JOIN of this client. */
  error: (error: ErrorData) => void;
  /** A socket ended (the client then retries, stops or stays closed: see `state`). */
  closed: (closed: { code: number; reason: string }) => void;
  /** Every frame as received, unknown types included. */
  frame: (frame: { type: string; data: unknown }) => void;
}

interface RoomRecord {
  name: string;
  lastSeq: number | null;
  epoch: string | undefined;
  /** On the current socket: not asked yet, JOIN sent, JOINED. */
  status: 'pending' | 'joining' | 'joined';
  /** What the JOIN in flight was sent with. */
  since: number | null;
  sentEpoch: string | undefined;
  /** PUSH frames that came before JOINED: the resume's replay. */
  early: { items: PushItem[] }[];
  waiters: { resolve: (info: JoinedInfo) => void; reject: (error: DanmakuError) => void }[];
  lastJoined: JoinedInfo | undefined;
}

interface PendingComment {
  resolve: (ack: AckData) => void;
  reject: (error: DanmakuError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Codes that say "not now" rather than "never": the room is joined again after a reconnection. */
const TRANSIENT_JOIN_ERRORS = new Set(['UNAVAILABLE', 'RATE_LIMITED']);

/**
 * A viewer's connection to a danmaku server: joins rooms, keeps the link checked with
 * PINGs, reconnects with full-jitter backoff and resumes every room with `since` (and
 * `epoch`), dropping duplicates, and turns each COMMENT into a promise of its ACK.
 */
export class DanmakuClient {
  private readonly listeners = new Listeners<DanmakuClientEvents>((error) => {
    // Reported like any uncaught error, outside the client's own bookkeeping.
    setTimeout(() => {
      throw error;
    });
  });
  private readonly rooms = new Map<string, RoomRecord>();
  private readonly pending = new Map<string, PendingComment>();
  private readonly seen: SeenIds;
  private readonly backoff: Backoff;
  private readonly url: string;
  private readonly authUrl: string | undefined;
  private session: Session | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private current: ClientState = { name: 'idle' };
  private cids = 0;
  /** Bumped on every open: an answer that arrives for an older attempt is ignored. */
  private generation = 0;
  private readonly onOnline = () => {
    if (this.current.name === 'waiting') this.retryNow();
  };

  constructor(private readonly options: DanmakuClientOptions) {
    this.url = withToken(options.url, options.token);
    this.authUrl = options.authCheckUrl === false ? undefined : (options.authCheckUrl ?? viewerAuthUrl(this.url));
    this.seen = new SeenIds(options.rememberIds ?? 4096);
    this.backoff = new Backoff(options.backoff);
    for (const room of options.rooms ?? []) this.rooms.set(room, newRoom(room));
  }

  get state(): ClientState {
    return this.current;
  }

  /** The current socket, if any (for diagnostics). */
  get socket() {
    return this.session?.socket;
  }

  /** Adds a listener; the function returned removes it. */
  on<K extends keyof DanmakuClientEvents>(event: K, listener: DanmakuClientEvents[K]): () => void {
    return this.listeners.add(event, listener);
  }

  off<K extends keyof DanmakuClientEvents>(event: K, listener: DanmakuClientEvents[K]): void {
    this.listeners.remove(event, listener);
  }

  /** Opens the connection (and keeps it open until `close()`). */
  connect(): void {
    if (this.current.name === 'closed') throw new Error('this client was closed; make a new one');
    if (this.current.name !== 'idle') return;
    if (!this.webSocketClass()) throw new Error('no WebSocket here: pass one as the WebSocket option (e.g. `ws` in Node 20)');
    // Back online: skip the rest of the wait.
    (globalThis as { addEventListener?: (name: string, listener: () => void) => void }).addEventListener?.('online', this.onOnline);
    this.open();
  }

  /** Ends the connection for good: pending comments and JOINs are rejected with CLOSED. */
  close(): void {
    if (this.current.name === 'closed') return;
    clearTimeout(this.retryTimer);
    (globalThis as { removeEventListener?: (name: string, listener: () => void) => void }).removeEventListener?.('online', this.onOnline);
    const session = this.session;
    this.session = null;
    if (session) {
      session.end();
      session.socket.onclose = null;
      session.socket.onmessage = null;
      session.socket.onerror = () => {};
      try {
        session.socket.close(1000);
      } catch {
        abandon(session.socket);
      }
    }
    this.failComments('CLOSED', 'the client was closed');
    for (const room of this.rooms.values()) rejectWaiters(room, new DanmakuError('CLOSED', 'the client was closed'));
    this.setState({ name: 'closed' });
  }

  /** Skips the rest of a backoff wait, or tries again after a stop. */
  retryNow(): void {
    if (this.current.name !== 'waiting' && this.current.name !== 'stopped') return;
    clearTimeout(this.retryTimer);
    this.backoff.reset();
    this.open();
  }

  /**
   * Joins a room, now and after every reconnection; resolves with its first JOINED.
   * Rejects if the server refuses it (the room is then dropped) or the client closes.
   */
  join(room: string): Promise<JoinedInfo> {
    if (this.current.name === 'closed') return Promise.reject(new DanmakuError('CLOSED', 'the client was closed'));
    let record = this.rooms.get(room);
    if (record?.status === 'joined' && record.lastJoined) return Promise.resolve(record.lastJoined);
    if (!record) {
      record = newRoom(room);
      this.rooms.set(room, record);
      if (this.session?.opened) {
        this.session.queue.push(room);
        this.joinNext();
      }
    }
    const target = record;
    const joined = new Promise<JoinedInfo>((resolve, reject) => target.waiters.push({ resolve, reject }));
    // The `refused` event reports a refusal too: an ignored promise must not crash Node.
    joined.catch(() => {});
    return joined;
  }

  /** Leaves a room and stops joining it. */
  leave(room: string): void {
    const record = this.rooms.get(room);
    if (!record) return;
    this.rooms.delete(room);
    rejectWaiters(record, new DanmakuError('CLOSED', `left ${room} before it was joined`));
    // A JOIN still in flight is answered first: its JOINED sends the LEAVE.
    if (this.session?.opened && record.status === 'joined') this.send({ type: 'LEAVE', data: { room } });
  }

  /** The rooms this client joins, with what it knows of each. */
  roomStatus(): RoomStatus[] {
    return [...this.rooms.values()].map((r) => ({ room: r.name, lastSeq: r.lastSeq, epoch: r.epoch, joined: r.status === 'joined' }));
  }

  /** Whether a COMMENT to this room would go out now (the socket is open and the room joined). */
  isJoined(room: string): boolean {
    return Boolean(this.session?.opened) && this.rooms.get(room)?.status === 'joined';
  }

  /**
   * Sends a COMMENT; resolves with its ACK, rejects with the ERROR (a DanmakuError with the
   * server's code) or NOT_CONNECTED, CONNECTION_LOST, TIMEOUT, CLOSED. The comment itself
   * arrives like every other in the room's next PUSH.
   */
  comment(room: string, input: string | CommentInput): Promise<AckData> {
    const { text, color, mode, cid = `c${Date.now().toString(36)}-${++this.cids}` } = typeof input === 'string' ? { text: input } : input;
    if (!this.session?.opened) return Promise.reject(new DanmakuError('NOT_CONNECTED', 'not connected: the comment was not sent', 'COMMENT', cid));
    const data = { room, text, cid, ...(color === undefined ? {} : { color }), ...(mode === undefined ? {} : { mode }) };
    return new Promise<AckData>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(cid)) reject(new DanmakuError('TIMEOUT', 'no answer from the server', 'COMMENT', cid));
      }, this.options.commentTimeoutMs ?? 10_000);
      this.pending.set(cid, { resolve, reject, timer });
      this.send({ type: 'COMMENT', data });
    });
  }

  private webSocketClass(): WebSocketClass | undefined {
    return this.options.WebSocket ?? globalWebSocket();
  }

  private setState(state: ClientState): void {
    this.current = state;
    this.listeners.emit('state', state);
  }

  private send(frame: ClientFrame): void {
    this.session?.send(frame);
  }

  private open(): void {
    const generation = ++this.generation;
    this.setState({ name: 'connecting', attempt: this.backoff.attempts });
    let session: Session;
    try {
      const WebSocketClass = this.webSocketClass();
      if (!WebSocketClass) throw new Error('no WebSocket');
      session = new Session(new WebSocketClass(this.url), {
        pingIntervalMs: this.options.pingIntervalMs ?? 15_000,
        pongTimeoutMs: this.options.pongTimeoutMs ?? 10_000,
      });
    } catch {
      this.scheduleRetry();
      return;
    }
    this.session = session;
    for (const room of this.rooms.values()) resetRoom(room);
    const { socket } = session;
    let failure: SocketErrorEvent | undefined;
    session.after(this.options.connectTimeoutMs ?? 10_000, () => {
      if (!session.opened) this.lost(session, 1006, 'no answer to the upgrade');
    });
    socket.onopen = () => {
      session.opened = true;
      session.heard();
      session.queue = [...this.rooms.keys()];
      session.startPinging(() => this.lost(session, 1006, 'no answer to PING'));
      this.joinNext();
    };
    socket.onmessage = (event) => {
      if (this.session !== session) return;
      session.heard();
      if (typeof event.data !== 'string') return;
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (typeof frame !== 'object' || frame === null || typeof (frame as { type?: unknown }).type !== 'string') return;
      const { type, data } = frame as { type: string; data?: unknown };
      const body = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
      this.listeners.emit('frame', { type, data: body });
      this.handle(type, body);
    };
    socket.onerror = (event) => {
      failure = event;
    };
    socket.onclose = (event) => {
      if (this.session !== session) return;
      void this.ended(session, event.code, event.reason ?? '', failure, generation);
    };
  }

  /** Gives up on a socket that does not answer, without waiting for a closing handshake. */
  private lost(session: Session, code: number, reason: string): void {
    if (this.session !== session) return;
    abandon(session.socket);
    void this.ended(session, code, reason, undefined, this.generation);
  }

  private async ended(session: Session, code: number, reason: string, failure: SocketErrorEvent | undefined, generation: number): Promise<void> {
    session.end();
    this.session = null;
    this.failComments('CONNECTION_LOST', 'the connection closed before the server answered');
    for (const room of this.rooms.values()) resetRoom(room);
    this.listeners.emit('closed', { code, reason });
    if (this.current.name === 'closed') return;
    if (code === CloseCode.POLICY_VIOLATION) return this.stop('policy', code);
    if (!session.opened) {
      const status = refusedStatus(failure);
      if (status === 401) return this.stop('unauthorized', 401);
      if (status === undefined && (await this.tokenRefused())) {
        if (generation === this.generation && this.current.name === 'connecting') this.stop('unauthorized', 401);
        return;
      }
      if (generation !== this.generation || this.current.name !== 'connecting') return;
    }
    this.scheduleRetry();
  }

  /** A refused upgrade looks like any network error in a browser: ask the server why. */
  private async tokenRefused(): Promise<boolean> {
    const fetchFn = (globalThis as { fetch?: typeof fetch }).fetch;
    if (!this.authUrl || !fetchFn) return false;
    try {
      const answer = await fetchFn(this.authUrl, { cache: 'no-store' });
      if (!answer.ok) return false;
      const body = (await answer.json()) as { required?: unknown; valid?: unknown };
      return body.required === true && body.valid === false;
    } catch {
      return false;
    }
  }

  private stop(reason: 'policy' | 'unauthorized', code: number): void {
    clearTimeout(this.retryTimer);
    for (const room of this.rooms.values()) rejectWaiters(room, new DanmakuError('NOT_CONNECTED', `stopped: ${reason} (${code})`));
    this.setState({ name: 'stopped', reason, code });
  }

  private scheduleRetry(): void {
    const delay = this.backoff.next(Date.now());
    this.setState({ name: 'waiting', retryAt: Date.now() + delay, attempt: this.backoff.attempts });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private failComments(code: 'CONNECTION_LOST' | 'CLOSED', message: string): void {
    const pending = [...this.pending];
    this.pending.clear();
    for (const [cid, comment] of pending) {
      clearTimeout(comment.timer);
      comment.reject(new DanmakuError(code, message, 'COMMENT', cid));
    }
  }

  /** JOINs go one at a time: an ERROR names no room, so only then is it clear which JOIN it refuses. */
  private joinNext(): void {
    const session = this.session;
    if (!session?.opened || session.joining !== null) return;
    for (;;) {
      const name = session.queue.shift();
      if (name === undefined) break;
      const room = this.rooms.get(name);
      if (!room || room.status !== 'pending') continue;
      room.status = 'joining';
      room.since = room.lastSeq;
      room.sentEpoch = room.epoch;
      room.early = [];
      session.joining = name;
      const data: JoinData = { room: name };
      if (room.since !== null) {
        data.since = room.since;
        if (room.epoch !== undefined) data.epoch = room.epoch;
      }
      this.send({ type: 'JOIN', data });
      return;
    }
    if (this.current.name !== 'live') {
      this.backoff.up(Date.now());
      this.setState({ name: 'live' });
    }
  }

  private handle(type: string, data: Record<string, unknown>): void {
    switch (type) {
      case 'PUSH':
        return this.onPush(data);
      case 'JOINED':
        return this.onJoined(data);
      case 'ONLINE':
        if (typeof data.room === 'string' && typeof data.online === 'number' && this.rooms.has(data.room)) {
          this.listeners.emit('online', { room: data.room, online: data.online });
        }
        return;
      case 'ACK':
        return this.onAck(data);
      case 'ERROR':
        return this.onError(data);
      default:
        // PONG, LEFT and frame types newer than this client: nothing to do.
        return;
    }
  }

  private onPush(data: Record<string, unknown>): void {
    const items = Array.isArray(data.items) ? (data.items as PushItem[]) : [];
    const to = typeof data.to === 'string' ? data.to : undefined;
    if (typeof data.room !== 'string') return this.deliver(null, to, items, false, null);
    const room = this.rooms.get(data.room);
    // A room left a moment ago may still send a frame or two.
    if (!room || room.status === 'pending') return;
    if (room.status === 'joining') room.early.push({ items });
    else this.deliver(room, to, items, false, null);
  }

  private onJoined(data: Record<string, unknown>): void {
    const session = this.session;
    if (typeof data.room !== 'string' || !session) return;
    const room = this.rooms.get(data.room);
    if (session.joining === data.room) session.joining = null;
    if (!room) {
      // Left while its JOIN was in flight.
      if (session.opened) this.send({ type: 'LEAVE', data: { room: data.room } });
      return this.joinNext();
    }
    // Left and joined again while the first JOIN was in flight: the second one's JOINED completes it.
    if (room.status !== 'joining') return this.joinNext();
    const seq = Number.isSafeInteger(data.seq) ? (data.seq as number) : 0;
    const epoch = typeof data.epoch === 'string' ? data.epoch : undefined;
    const since = room.since;
    // A server that lost the room's history numbers from 1 again: a new epoch says so, and
    // without epochs a latest seq below since does.
    const historyLost = since !== null && ((epoch !== undefined && room.sentEpoch !== undefined && epoch !== room.sentEpoch) || seq < since);
    if (epoch !== undefined) room.epoch = epoch;
    room.status = 'joined';
    if (historyLost || room.lastSeq === null || seq > room.lastSeq) room.lastSeq = seq;
    const info: JoinedInfo = {
      ...(data as unknown as JoinedData),
      seq,
      gap: data.gap === true,
      resumed: since !== null,
      historyLost,
    };
    room.lastJoined = info;
    const early = room.early;
    room.early = [];
    this.listeners.emit('joined', info);
    if (typeof data.online === 'number') this.listeners.emit('online', { room: room.name, online: data.online });
    for (const frame of early) this.deliver(room, undefined, frame.items, since !== null, historyLost ? null : since);
    if (info.gap) this.listeners.emit('gap', { room: room.name });
    const waiters = room.waiters;
    room.waiters = [];
    for (const waiter of waiters) waiter.resolve(info);
    this.joinNext();
  }

  private onAck(data: Record<string, unknown>): void {
    const cid = typeof data.cid === 'string' ? data.cid : undefined;
    const comment = cid === undefined ? undefined : this.pending.get(cid);
    if (!comment || cid === undefined) return;
    this.pending.delete(cid);
    clearTimeout(comment.timer);
    comment.resolve(data as unknown as AckData);
  }

  private onError(data: Record<string, unknown>): void {
    const error = data as unknown as ErrorData;
    const code = typeof error.code === 'string' ? error.code : 'UNKNOWN';
    const message = typeof error.message === 'string' ? error.message : code;
    const cid = typeof error.cid === 'string' ? error.cid : undefined;
    const retryAfter = typeof error.retryAfter === 'number' ? error.retryAfter : undefined;
    const comment = cid === undefined ? undefined : this.pending.get(cid);
    if (comment && cid !== undefined) {
      this.pending.delete(cid);
      clearTimeout(comment.timer);
      comment.reject(new DanmakuError(code, message, error.ref, cid, retryAfter));
      return;
    }
    const session = this.session;
    if (error.ref === 'JOIN' && session?.joining) {
      const room = this.rooms.get(session.joining);
      session.joining = null;
      if (room) return this.joinRefused(session, room, new DanmakuError(code, message, 'JOIN'));
      return this.joinNext();
    }
    this.listeners.emit('error', error);
  }

  private joinRefused(session: Session, room: RoomRecord, error: DanmakuError): void {
    if (TRANSIENT_JOIN_ERRORS.has(error.code)) {
      // Asked again, with the other rooms, after a reconnection and its backoff.
      room.status = 'pending';
      session.socket.close(1000, 'join refused for now');
      return;
    }
    this.rooms.delete(room.name);
    rejectWaiters(room, error);
    this.listeners.emit('refused', { room: room.name, error });
    this.joinNext();
  }

  /** Hands a PUSH's new items to the listeners: past `since` (when set), not seen before. */
  private deliver(room: RoomRecord | null, to: string | undefined, items: PushItem[], replay: boolean, since: number | null): void {
    const fresh: PushItem[] = [];
    for (const item of items) {
      if (isComment(item)) {
        const seq = Number.isSafeInteger(item.seq) ? (item.seq as number) : undefined;
        if (since !== null && seq !== undefined && seq <= since) continue;
        if (!this.seen.add(item.id)) continue;
        if (room && seq !== undefined && item.room === room.name && (room.lastSeq === null || seq > room.lastSeq)) room.lastSeq = seq;
      }
      fresh.push(item);
    }
    if (fresh.length === 0) return;
    const context: ItemContext = { room: room ? room.name : null, replay, ...(to === undefined ? {} : { to }) };
    for (const item of fresh) this.listeners.emit('item', item, context);
    this.listeners.emit('push', { ...context, items: fresh });
  }
}

function newRoom(name: string): RoomRecord {
  return { name, lastSeq: null, epoch: undefined, status: 'pending', since: null, sentEpoch: undefined, early: [], waiters: [], lastJoined: undefined };
}

function resetRoom(room: RoomRecord): void {
  room.status = 'pending';
  room.early = [];
}

function rejectWaiters(room: RoomRecord, error: DanmakuError): void {
  const waiters = room.waiters;
  room.waiters = [];
  for (const waiter of waiters) waiter.reject(error);
}
