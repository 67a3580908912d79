import zlib from 'node:zlib';

/*
 * The one reach into Node's zlib internals: a deflate stream's native handle, driven
 * synchronously and reset between messages. zlib-internals.spec.ts pins it against
 * zlib.deflateRawSync, so a Node upgrade that changes the handle fails there first.
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
const SYNC_FLUSH_TAIL = 4;
const OUTPUT_CHUNK = 64 * 1024;

/**
 * Raw deflate of one whole message at a time, every message on its own (no context
 * takeover), with one zlib stream kept for all of them: zlib.deflateRawSync builds and
 * frees about 300 KB of zlib state per call, which costs as much as deflating a small
 * batch does.
 */
export class MessageDeflater {
  private stream!: zlib.DeflateRaw;
  private handle!: ZlibHandle;
  private state!: Uint32Array;
  private readonly output = Buffer.allocUnsafe(OUTPUT_CHUNK);

  /** @param windowBits 9 to 15 (Node makes 8 a 9 for raw deflate). */
  constructor(
    private readonly level: number,
    private readonly windowBits: number,
  ) {
    this.open();
  }

  /** The permessage-deflate payload of `message`: raw deflate, sync flush, trailing 00 00 ff ff dropped (RFC 7692 7.2.1). */
  deflate(message: Buffer): Buffer {
    const chunks: Buffer[] = [];
    let total = 0;
    let offset = 0;
    let left = message.length;
    for (;;) {
      this.handle.writeSync(zlib.constants.Z_SYNC_FLUSH, message, offset, left, this.output, 0, OUTPUT_CHUNK);
      if (this.stream.destroyed) {
        const error = this.stream.errored ?? new Error('zlib deflate failed');
        this.open();
        throw error;
      }
      const [freeOut, unread] = this.state;
      const produced = OUTPUT_CHUNK - freeOut;
      chunks.push(Buffer.from(this.output.subarray(0, produced)));
      total += produced;
      offset += left - unread;
      left = unread;
      // A full output buffer means zlib may have more to give for the same flush.
      if (freeOut !== 0) break;
    }
    this.handle.reset();
    const deflated = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
    return deflated.subarray(0, total - SYNC_FLUSH_TAIL);
  }

  private open(): void {
    this.stream = zlib.createDeflateRaw({ level: this.level, windowBits: this.windowBits });
    // A zlib error destroys the stream, which then emits 'error'; deflate() reports it.
    this.stream.on('error', () => {});
    const internals = this.stream as unknown as ZlibStreamInternals;
    this.handle = internals._handle;
    this.state = internals._writeState;
  }
}
