import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { hasHandle, plainFdOf } from '../sockets/socket-internals.js';

/** native/batch-writer's one function: send(2) `frame` to `fds[0..count)`, bytes taken (or -errno) in `written`. */
type WriteEach = (fds: Int32Array, count: number, frame: Uint8Array, written: Int32Array) => void;

/** The addon's function, or why it could not be loaded (not built, another platform). */
export type NativeWriter = { writeEach: WriteEach } | { unavailable: string };

export function loadNativeWriter(): NativeWriter {
  try {
    const addon = createRequire(import.meta.url)('@danmaku/batch-writer') as { writeEach?: unknown };
    if (typeof addon.writeEach !== 'function') return { unavailable: '@danmaku/batch-writer has no writeEach' };
    return { writeEach: addon.writeEach as WriteEach };
  } catch (error) {
    return { unavailable: (error as Error).message.split('\n')[0] };
  }
}

/**
 * One frame to many sockets in one native call, for the sockets where that is the same as
 * socket.write: Node has no bytes queued for them (so ours cannot overtake any) and they
 * are plain TCP (TLS bytes must go through the TLS layer). Whatever the kernel does not
 * take at once goes back through socket.write, which queues it in order or, for a
 * connection that has failed, raises the error the way it always does.
 */
export class NativeBatch {
  private readonly fds: Int32Array;
  private readonly written: Int32Array;
  private readonly sockets: (Socket | undefined)[];
  private count = 0;

  /** @param capacity sockets gathered before one native call; bigger shards are sent in several. */
  constructor(
    private readonly writeEach: WriteEach,
    private readonly capacity = 1024,
  ) {
    this.fds = new Int32Array(capacity);
    this.written = new Int32Array(capacity);
    this.sockets = new Array<Socket | undefined>(capacity).fill(undefined);
  }

  /**
   * Adds a socket to the batch for `frame`, sending the batch when it is full.
   * @param fd the socket's plainFdOf, read once for the connection (the fan-out keeps it)
   * @returns false when the socket must be written through Node instead.
   */
  add(socket: Socket, frame: Buffer, fd = plainFdOf(socket)): boolean {
    if (fd < 0 || socket.writableLength !== 0 || !hasHandle(socket)) return false;
    this.fds[this.count] = fd;
    this.sockets[this.count] = socket;
    if (++this.count === this.capacity) this.send(frame);
    return true;
  }

  /** Sends the frame to every socket added since the last send. */
  send(frame: Buffer): void {
    const count = this.count;
    if (count === 0) return;
    this.count = 0;
    this.writeEach(this.fds, count, frame, this.written);
    const length = frame.length;
    for (let i = 0; i < count; i++) {
      const took = this.written[i];
      const socket = this.sockets[i]!;
      this.sockets[i] = undefined;
      if (took === length) continue;
      socket.write(took > 0 ? frame.subarray(took) : frame);
    }
  }
}

/**
 * One NativeBatch per variant of a message (plain, or deflated for a given window), so
 * that members of each variant get theirs in one native call per shard.
 */
export class NativeBatches {
  private readonly batches: (NativeBatch | undefined)[] = [];
  /** The frame of each variant added since the last send. */
  private readonly frames: (Buffer | undefined)[] = [];
  private readonly pending: number[] = [];

  constructor(private readonly writeEach: WriteEach) {}

  /**
   * Adds a socket to the batch of `variant`, whose frame is `frame` until the next send.
   * @param fd the socket's plainFdOf, read once for the connection
   * @returns false when the socket must be written through Node instead.
   */
  add(variant: number, socket: Socket, frame: Buffer, fd: number): boolean {
    const batch = (this.batches[variant] ??= new NativeBatch(this.writeEach));
    if (this.frames[variant] === undefined) {
      this.frames[variant] = frame;
      this.pending.push(variant);
    }
    return batch.add(socket, frame, fd);
  }

  /** Sends every variant's frame to the sockets added to it since the last send. */
  send(): void {
    for (const variant of this.pending) {
      this.batches[variant]!.send(this.frames[variant]!);
      this.frames[variant] = undefined;
    }
    this.pending.length = 0;
  }
}
