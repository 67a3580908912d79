import { Injectable } from '@nestjs/common';
import * as ws from 'ws';

interface FrameOptions {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
}
// ws exports its Sender at run time; @types/ws does not declare it.
const { Sender } = ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

/**
 * Turns a batch into the bytes every member receives: the PUSH envelope is
 * serialized once (items are already JSON) and framed once as an unmasked, final
 * WebSocket text frame, so the fan-out writes the same Buffer to every socket.
 * ws is pinned in package.json because `Sender.frame` is used directly.
 */
@Injectable()
export class PushFrameEncoder {
  encode(room: string | null, items: readonly string[]): Buffer {
    const roomJson = room === null ? 'null' : JSON.stringify(room);
    return textFrame(`{"type":"PUSH","data":{"room":${roomJson},"items":[${items.join(',')}]}}`);
  }
}

/** One complete server-to-client text frame (header + payload) in a single Buffer. */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const [header, body] = Sender.frame(payload, {
    fin: true,
    rsv1: false,
    opcode: 1,
    mask: false,
    readOnly: false,
  });
  return Buffer.concat([header, body]);
}
