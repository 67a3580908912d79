import { BAD_FRAME_EVENT, CLIENT_TYPES, UNKNOWN_TYPE_EVENT } from '../protocol/envelope.js';

export interface ParsedMessage {
  event: string;
  data: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The WsAdapter's message parser: maps a `{type, data}` frame to Nest's `{event, data}`.
 * Frames no handler can take are turned into internal events instead of being dropped,
 * so the client always hears BAD_FRAME or UNKNOWN_TYPE and the connection stays open.
 */
export function parseEnvelope(raw: unknown): ParsedMessage {
  // ws hands text frames over as strings and binary frames as Buffers.
  if (typeof raw !== 'string') return badFrame('binary frames are not accepted; send UTF-8 JSON text');
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return badFrame('frame is not valid JSON');
  }
  if (!isObject(message) || typeof message.type !== 'string') return badFrame('frame has no string "type"');
  if (!CLIENT_TYPES.has(message.type)) return { event: UNKNOWN_TYPE_EVENT, data: { type: message.type } };
  return { event: message.type, data: isObject(message.data) ? message.data : {} };
}

function badFrame(reason: string): ParsedMessage {
  return { event: BAD_FRAME_EVENT, data: { reason } };
}
