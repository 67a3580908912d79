import { compressedTextFrame } from '../sockets/socket-internals.js';
import { MessageDeflater } from '../sockets/zlib-internals.js';
import type { StatsService } from '../stats/stats.service.js';

/**
 * Deflates and frames a message for one deflate window (9 to 15), with one zlib stream
 * per window for the whole process (created when first needed), and counts every call.
 */
export class FrameDeflater {
  private readonly deflaters: (MessageDeflater | undefined)[] = [];

  constructor(
    private readonly level: number,
    private readonly stats: StatsService,
  ) {}

  frame(message: Buffer, windowBits: number): Buffer {
    const deflater = (this.deflaters[windowBits] ??= new MessageDeflater(this.level, windowBits));
    this.stats.deflateCalls++;
    return compressedTextFrame(deflater.deflate(message));
  }
}
