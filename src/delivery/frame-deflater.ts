import { compressedTextFrame } from '../sockets/socket-internals.js';
import { MessageDeflater } from '../sockets/zlib-internals.js';
import type { StatsService } from '../stats/stats.service.js';

/**
 * The deflate window a member's compressed frames are made with: the server_max_window_bits
 * it negotiated, or 0 for a member without compression. Node deflates raw data with a
 * 9-bit window when asked for 8, and such a stream never refers further back than 250
 * bytes (zlib keeps 262 bytes of lookahead), so the 9-bit frames serve 8-bit members too.
 */
export function deflateWindowFor(serverWindowBits: number): number {
  return serverWindowBits === 8 ? 9 : serverWindowBits;
}

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
