import { once } from 'node:events';
import WebSocket from 'ws';

export interface Frame {
  type: string;
  data: any;
}

export interface Closed {
  code: number;
  reason: string;
}

/**
 * A real ws client that records every frame, so a test can await the next frame of a
 * kind instead of sleeping.
 */
export class Viewer {
  readonly frames: Frame[] = [];
  readonly closed: Promise<Closed>;
  private readonly taken = new Set<number>();
  private waiters: (() => void)[] = [];
  /** The server's Sec-WebSocket-Extensions answer (ws clients offer permessage-deflate unless told not to). */
  extensions: string | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.once('upgrade', (response) => (this.extensions = response.headers['sec-websocket-extensions']));
    ws.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? { type: '$BINARY', data } : JSON.parse(data.toString()));
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      }),
    );
  }

  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<Viewer> {
    const viewer = new Viewer(new WebSocket(url, options));
    await once(viewer.ws, 'open');
    return viewer;
  }

  send(type: string, data?: unknown): void {
    this.ws.send(JSON.stringify(data === undefined ? { type } : { type, data }));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Resolves with the earliest frame not yet taken that matches, waiting for one if needed. */
  async next(match: string | ((frame: Frame) => boolean), timeoutMs = 5000): Promise<Frame> {
    const test = typeof match === 'string' ? (frame: Frame) => frame.type === match : match;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = 0; i < this.frames.length; i++) {
        if (this.taken.has(i) || !test(this.frames[i])) continue;
        this.taken.add(i);
        return this.frames[i];
      }
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`closed while waiting; saw ${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; saw ${this.describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a request and resolves with the reply of the given type (or ERROR). */
  async request(type: string, data: unknown, reply: string): Promise<Frame> {
    this.send(type, data);
    return this.next((frame) => frame.type === reply || frame.type === 'ERROR');
  }

  async join(room: string, since?: number): Promise<Frame> {
    return this.request('JOIN', since === undefined ? { room } : { room, since }, 'JOINED');
  }

  /** PUSH items received so far for a room, in order. */
  itemsIn(room: string | null): any[] {
    return this.frames.filter((f) => f.type === 'PUSH' && f.data.room === room).flatMap((f) => f.data.items);
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private describe(): string {
    return JSON.stringify(this.frames.slice(-5));
  }
}

/** Waits until `check` returns a truthy value, polling an HTTP endpoint or state. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opens. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', reject);
  });
}
