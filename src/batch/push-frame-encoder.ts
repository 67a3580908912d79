import { Injectable } from '@nestjs/common';
import { textFrame } from '../sockets/socket-internals.js';

/**
 * Turns a batch into the bytes every member receives: the PUSH envelope is
 * serialized once (items are already JSON) and framed once as an unmasked, final
 * WebSocket text frame, so the fan-out writes the same Buffer to every socket.
 */
@Injectable()
export class PushFrameEncoder {
  encode(room: string | null, items: readonly string[]): Buffer {
    const roomJson = room === null ? 'null' : JSON.stringify(room);
    return textFrame(`{"type":"PUSH","data":{"room":${roomJson},"items":[${items.join(',')}]}}`);
  }
}
