/** The `{type, data}` envelope every frame in both directions uses (go-push's BizMessage). */
export interface Envelope<T = unknown> {
  type: string;
  data: T;
}

/** Client message types the gateway has handlers for; anything else is UNKNOWN_TYPE. */
export const CLIENT_TYPES = new Set(['PING', 'JOIN', 'LEAVE', 'COMMENT']);

/**
 * Events the envelope parser raises for frames that carry no usable type. They start
 * with '$' so no client type can collide with them (client types are checked against
 * CLIENT_TYPES first).
 */
export const BAD_FRAME_EVENT = '$BAD_FRAME';
export const UNKNOWN_TYPE_EVENT = '$UNKNOWN_TYPE';

export function envelope<T>(type: string, data: T): Envelope<T> {
  return { type, data };
}

/** The answer to every PING, whichever way it came in. */
export const PONG: Readonly<Envelope<Record<string, never>>> = Object.freeze(envelope('PONG', {}));
