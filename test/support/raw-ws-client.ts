import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import zlib from 'node:zlib';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

export interface RawMessage {
  /** RSV1 was set: the payload was deflated. */
  compressed: boolean;
  text: string;
}

/**
 * A WebSocket client on node:http and node:net that offers exactly the
 * Sec-WebSocket-Extensions it is given and decodes frames itself, so a test sees which
 * frames come compressed and inflates each one alone, with the window the client allowed
 * (Node's raw inflate honours an 8-bit window), as a strict browser would.
 */
export class RawWsClient {
  readonly messages: RawMessage[] = [];
  /** Set when a frame could not be decoded: the stream is broken. */
  failure: string | undefined;
  closeCode: number | undefined;
  private pending = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly socket: Socket,
    /** The server's Sec-WebSocket-Extensions answer. */
    readonly answer: string | undefined,
  ) {
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    socket.on('close', () => this.wake());
  }

  static connect(url: string, offer?: string): Promise<RawWsClient> {
    return new Promise((resolve, reject) => {
      const upgrade = request(url.replace(/^ws/, 'http'), {
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
          'Sec-WebSocket-Version': '13',
          ...(offer === undefined ? {} : { 'Sec-WebSocket-Extensions': offer }),
        },
      });
      upgrade.on('upgrade', (response, socket, head) => {
        const client = new RawWsClient(socket, response.headers['sec-websocket-extensions']);
        if (head.length > 0) client.take(head);
        resolve(client);
      });
      upgrade.on('response', (response) => reject(new Error(`upgrade answered ${response.statusCode}`)));
      upgrade.on('error', reject);
      upgrade.end();
    });
  }

  /** The negotiated permessage-deflate parameter, or undefined. */
  private parameter(name: string): string | undefined {
    return new RegExp(`${name}(?:=(\\d+))?`).exec(this.answer ?? '')?.[1];
  }

  get deflateNegotiated(): boolean {
    return this.answer?.includes('permessage-deflate') ?? false;
  }

  /** Sends a text message, deflated when the extension was negotiated (split into two frames with `fragmented`). */
  send(text: string, { fragmented = false } = {}): void {
    let payload = Buffer.from(text);
    if (this.deflateNegotiated) {
      const windowBits = Number(this.parameter('client_max_window_bits') ?? 15);
      payload = zlib.deflateRawSync(payload, { windowBits, finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);
    }
    const rsv1 = this.deflateNegotiated ? 0x40 : 0;
    if (!fragmented) {
      this.socket.write(maskedFrame(0x80 | rsv1 | 0x1, payload));
      return;
    }
    const half = payload.length >> 1;
    this.socket.write(maskedFrame(rsv1 | 0x1, payload.subarray(0, half)));
    this.socket.write(maskedFrame(0x80 | 0x0, payload.subarray(half)));
  }

  /** Resolves with the earliest message whose parsed JSON matches, waiting for one if needed. */
  async next(match: (message: { type: string; data: any }) => boolean, timeoutMs = 5000): Promise<RawMessage & { type: string; data: any }> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      for (; seen < this.messages.length; seen++) {
        const parsed = JSON.parse(this.messages[seen].text);
        if (match(parsed)) return { ...this.messages[seen], ...parsed };
      }
      if (this.failure) throw new Error(this.failure);
      if (this.socket.destroyed) throw new Error(`closed (${this.closeCode}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms; saw ${JSON.stringify(this.messages.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private take(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.pending.length < 2) break;
      const short = this.pending[1] & 0x7f;
      const offset = short === 126 ? 4 : short === 127 ? 10 : 2;
      if (this.pending.length < offset) break;
      const length = short === 126 ? this.pending.readUInt16BE(2) : short === 127 ? Number(this.pending.readBigUInt64BE(2)) : short;
      if (this.pending.length < offset + length) break;
      const first = this.pending[0];
      const payload = this.pending.subarray(offset, offset + length);
      this.pending = this.pending.subarray(offset + length);
      this.frame(first, payload);
    }
    this.wake();
  }

  private frame(first: number, payload: Buffer): void {
    const opcode = first & 0x0f;
    const compressed = (first & 0x40) !== 0;
    if ((first & 0x80) === 0) this.failure = 'the server sent a fragmented message';
    if (opcode === 0x8) {
      this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      return;
    }
    if (opcode === 0x9) {
      this.socket.write(maskedFrame(0x8a, payload));
      return;
    }
    if (opcode !== 0x1) {
      this.failure = `unexpected opcode ${opcode}`;
      return;
    }
    if (compressed && !this.deflateNegotiated) {
      this.failure = 'a compressed frame on a connection without permessage-deflate';
      return;
    }
    try {
      const windowBits = Number(this.parameter('server_max_window_bits') ?? 15);
      const text = compressed
        ? zlib.inflateRawSync(Buffer.concat([payload, TAIL]), { windowBits, finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString()
        : payload.toString();
      this.messages.push({ compressed, text });
    } catch (error) {
      this.failure = `a frame did not inflate: ${(error as Error).message}`;
    }
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** A client frame: masked, as RFC 6455 requires, with a random key. */
function maskedFrame(first: number, payload: Buffer): Buffer {
  const key = randomBytes(4);
  const lengthBytes = payload.length < 126 ? 0 : payload.length < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes);
  header[0] = first;
  if (lengthBytes === 0) header[1] = 0x80 | payload.length;
  else if (lengthBytes === 2) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i] ^= key[i & 3];
  return Buffer.concat([header, key, masked]);
}
