import { Injectable } from '@nestjs/common';
import { OutboundFrames } from '../delivery/outbound-frames.js';

/**
 * Turns a batch into the bytes every member receives: the PUSH envelope is serialized
 * once (items are already JSON) and framed once as an unmasked, final WebSocket text
 * frame, so the fan-out writes the same Buffer to every socket; members that negotiated
 * compression get the one deflated frame of their window (see OutboundFrames).
 */
@Injectable()
export class PushFrameEncoder {
  encode(room: string | null, items: readonly string[]): OutboundFrames {
    const roomJson = room === null ? 'null' : JSON.stringify(room);
    return OutboundFrames.of(`{"type":"PUSH","data":{"room":${roomJson},"items":[${items.join(',')}]}}`);
  }
}
