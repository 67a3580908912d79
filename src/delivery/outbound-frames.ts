import { textFrame } from '../sockets/socket-internals.js';
import type { FrameDeflater } from './frame-deflater.js';

/**
 * One message as the fan-out writes it: the plain text frame, built once, and the
 * permessage-deflate frame for each deflate window that some member needs, each deflated
 * and framed at most once, on first request, however many members it goes to.
 */
export class OutboundFrames {
  /** By deflate window (9 to 15). */
  private readonly deflated: (Buffer | undefined)[] = [];

  /** @param message the UTF-8 text; null: sent uncompressed to every member (too small to gain). */
  private constructor(
    private readonly message: Buffer | null,
    readonly plain: Buffer,
  ) {}

  static of(text: string): OutboundFrames {
    const message = Buffer.from(text, 'utf8');
    return new OutboundFrames(message, textFrame(message));
  }

  static uncompressed(text: string): OutboundFrames {
    return new OutboundFrames(null, textFrame(text));
  }

  /** The frame for a member whose deflate window is `windowBits` (0: no compression). */
  forWindow(windowBits: number, deflater: FrameDeflater): Buffer {
    if (windowBits === 0 || this.message === null) return this.plain;
    return (this.deflated[windowBits] ??= deflater.frame(this.message, windowBits));
  }
}
