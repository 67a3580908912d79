import zlib from 'node:zlib';

/*
 * The one reach into Node's zlib internals: a zlib stream's native handle, driven
 * synchronously and reset between messages. zlib-internals.spec.ts pins it against
 * zlib's public one-shot functions, so a Node upgrade that changes the handle fails there.
 */

interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, output: Uint8Array, outOffset: number, outLength: number): void;
  reset(): void;
}

interface ZlibStreamInternals {
  _handle: ZlibHandle;
  /** After writeSync: [output bytes left free, input bytes left unread]. */
  _writeState: Uint32Array;
}

/** What Z_SYNC_FLUSH appends (an empty stored block); permessage-deflate leaves it out. */
const SYNC_FLUSH_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const OUTPUT_CHUNK = 64 * 1024;

/** Thrown when a message inflates past the limit it was given. */
export class MessageTooLargeError extends RangeError {}

/**
 * One zlib stream for every message, each processed whole with Z_SYNC_FLUSH and the
 * stream reset after it, so that every message stands alone (no context takeover). The
 * one-shot functions (zlib.deflateRawSync and the like) build and free a new stream per
 * call: about 300 KB of zlib state for a deflate, which costs as much as deflating a small
 * batch, and memory that lingers until the garbage collector runs.
 */
class MessageZlib {
  private stream!: zlib.DeflateRaw | zlib.InflateRaw;
  private handle!: ZlibHandle;
  private state!: Uint32Array;
  private readonly output = Buffer.allocUnsafe(OUTPUT_CHUNK);

  constructor(private readonly create: () => zlib.DeflateRaw | zlib.InflateRaw) {
    this.open();
  }

  /** Everything zlib gives for `input`; past `limit` bytes it stops and throws MessageTooLargeError. */
  protected process(input: Buffer, limit = Number.POSITIVE_INFINITY): Buffer {
    const chunks: Buffer[] = [];
    let total = 0;
    let offset = 0;
    let left = input.length;
    try {
      for (;;) {
        // Never more than one byte past the limit: an inflate bomb costs no more than that.
        const room = Math.min(OUTPUT_CHUNK, limit + 1 - total);
        this.handle.writeSync(zlib.constants.Z_SYNC_FLUSH, input, offset, left, this.output, 0, room);
        if (this.stream.destroyed) {
          const error = this.stream.errored ?? new Error('zlib failed');
          this.open();
          throw error;
        }
        const [freeOut, unread] = this.state;
        const produced = room - freeOut;
        chunks.push(Buffer.from(this.output.subarray(0, produced)));
        total += produced;
        if (total > limit) throw new MessageTooLargeError(`more than ${limit} bytes`);
        offset += left - unread;
        left = unread;
        // A full output buffer means zlib may have more to give for the same flush.
        if (freeOut !== 0) break;
      }
    } finally {
      if (!this.stream.destroyed) this.handle.reset();
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  }

  private open(): void {
    this.stream = this.create();
    // A zlib error destroys the stream, which then emits 'error'; process() reports it.
    this.stream.on('error', () => {});
    const internals = this.stream as unknown as ZlibStreamInternals;
    this.handle = internals._handle;
    this.state = internals._writeState;
  }
}

/** Raw deflate of whole messages for permessage-deflate. */
export class MessageDeflater extends MessageZlib {
  /** @param windowBits 9 to 15 (Node makes 8 a 9 for raw deflate). */
  constructor(level: number, windowBits: number) {
    super(() => zlib.createDeflateRaw({ level, windowBits }));
  }

  /** The permessage-deflate payload of `message`: raw deflate, sync flush, the 00 00 ff ff tail dropped (RFC 7692 7.2.1). */
  deflate(message: Buffer): Buffer {
    const deflated = this.process(message);
    return deflated.subarray(0, deflated.length - SYNC_FLUSH_TAIL.length);
  }
}

/** Raw inflate of whole permessage-deflate messages, with the largest window (any client's fits). */
export class MessageInflater extends MessageZlib {
  constructor() {
    super(() => zlib.createInflateRaw());
  }

  /**
   * The message `payload` (a permessage-deflate payload, tail dropped) inflates to.
   * @throws MessageTooLargeError past `limit` bytes; zlib's error for data that does not inflate.
   */
  inflate(payload: Buffer, limit?: number): Buffer {
    return this.process(Buffer.concat([payload, SYNC_FLUSH_TAIL]), limit);
  }
}
