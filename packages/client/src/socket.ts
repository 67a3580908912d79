// The little of the WebSocket API the client uses, met by browsers' WebSocket, Node 22's
// global one and the `ws` package alike.

export interface SocketCloseEvent {
  code: number;
  reason?: string;
}

export interface SocketErrorEvent {
  /** `ws` says here why an upgrade failed ("Unexpected server response: 401"). */
  message?: string;
  error?: unknown;
}

/** A handler type that accepts handlers of richer event types (browsers', `ws`'s). */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drop the connection without a closing handshake. */
  terminate?(): void;
  onopen: Handler<never> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<SocketCloseEvent> | null;
  onerror: Handler<SocketErrorEvent> | null;
}

/** A WebSocket class: the global one, or `ws`'s `WebSocket` in Node. */
export type WebSocketClass = new (url: string) => SocketLike;

export const OPEN = 1;

/** The global WebSocket at the time of the call (a page may replace it), if any. */
export function globalWebSocket(): WebSocketClass | undefined {
  return (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
}

/** Closes a socket that is being given up on, without waiting for anything more from it. */
export function abandon(socket: SocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  // `ws` reports the abandoned handshake as an error: swallow it.
  socket.onerror = () => {};
  try {
    if (typeof socket.terminate === 'function') socket.terminate();
    else socket.close();
  } catch {
    // Already closed.
  }
}

/** The HTTP status of a refused upgrade, where the implementation says it (`ws` does; browsers never do). */
export function refusedStatus(event: SocketErrorEvent | undefined): number | undefined {
  const text = [event?.message, event?.error instanceof Error ? event.error.message : undefined].find((t) => typeof t === 'string');
  const match = text ? /Unexpected server response: (\d{3})/.exec(text) : null;
  return match ? Number(match[1]) : undefined;
}

/** The socket URL with `token` set as its `?token=` parameter. */
export function withToken(url: string, token: string | undefined): string {
  if (token === undefined) return url;
  const parsed = new URL(url);
  parsed.searchParams.set('token', token);
  return parsed.href;
}

/**
 * Where the server answers whether a viewer token would be accepted: `/api/viewer-auth`
 * beside `/connect` (under the same mount point), with the same query.
 */
export function viewerAuthUrl(socketUrl: string): string | undefined {
  const parsed = new URL(socketUrl);
  if (!parsed.pathname.endsWith('/connect')) return undefined;
  parsed.protocol = parsed.protocol === 'wss:' ? 'https:' : 'http:';
  parsed.pathname = `${parsed.pathname.slice(0, -'/connect'.length)}/api/viewer-auth`;
  return parsed.href;
}
