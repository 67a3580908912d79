// The load generator's side of permessage-deflate (RFC 7692). Counting connections never
// inflate a PUSH: they count its wire bytes and the frame ("blind"), and the room's probes,
// which inflate and parse every message, tell how many items such a frame holds (the
// runner multiplies; every member of a room receives the same batches). A counting
// connection inflates only until it has joined (all it reads is JOINED, or the ERROR that
// refuses it), and only when that needs no history: without context takeover (the server
// compresses each message on its own) a message up to SMALL bytes; with context takeover
// only the first one, since the ones after it refer back to messages a counting
// connection did not inflate. (Small PUSH frames inflated by every counter would make the
// load generator the bottleneck.)
import zlib from 'node:zlib';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const WINDOW = 32_768; // the largest deflate window (15 bits): all a message can refer back to

/** The negotiated permessage-deflate parameters from a 101 answer's head, or null when declined. */
export function negotiatedDeflate(head) {
  const line = head.split('\r\n').find((l) => /^sec-websocket-extensions:/i.test(l));
  const value = line?.slice(line.indexOf(':') + 1).trim() ?? '';
  if (!/permessage-deflate/i.test(value)) return null;
  return { contextTakeover: !/server_no_context_takeover/i.test(value), header: value };
}

/** Inflates one connection's compressed messages, keeping the history context takeover needs. */
export class MessageInflater {
  constructor({ contextTakeover }) {
    this.contextTakeover = contextTakeover;
    this.history = null; // the last WINDOW bytes of plaintext, with context takeover
    this.messages = 0;
  }

  /** Whether a counting connection can inflate a message of `length` compressed bytes. */
  canInflate(length, small) {
    return this.contextTakeover ? this.messages === 0 : length <= small;
  }

  inflate(payload) {
    const options = { finishFlush: zlib.constants.Z_SYNC_FLUSH, windowBits: 15 };
    if (this.history) options.dictionary = this.history;
    const text = zlib.inflateRawSync(Buffer.concat([payload, TAIL]), options);
    this.messages++;
    if (this.contextTakeover) {
      const joined = this.history ? Buffer.concat([this.history, text]) : text;
      this.history = Buffer.from(joined.subarray(Math.max(0, joined.length - WINDOW)));
    }
    return text;
  }
}

/** Per load generator: how connections negotiated, and per room the blind and sampled frames. */
export class DeflateCounts {
  constructor() {
    this.withContextTakeover = 0;
    this.withoutContextTakeover = 0;
    this.header = null;
    this.rooms = {}; // room -> [blind frames, sampled frames, items in sampled frames]
  }

  negotiated({ contextTakeover, header }) {
    if (contextTakeover) this.withContextTakeover++;
    else this.withoutContextTakeover++;
    this.header ??= header;
  }

  #room(room) {
    return (this.rooms[room] ??= [0, 0, 0]);
  }

  blindFrame(room) {
    this.#room(room)[0]++;
  }

  sampleFrame(room, items) {
    const r = this.#room(room);
    r[1]++;
    r[2] += items;
  }

  toJSON() {
    return { withContextTakeover: this.withContextTakeover, withoutContextTakeover: this.withoutContextTakeover, header: this.header, rooms: this.rooms };
  }
}

/**
 * Items in the blind frames between two sets of snapshots: per room, blind frames times the
 * items per frame the room's probes saw in frames a counting connection would have counted
 * blind; a room whose probes saw none takes the average over all rooms.
 * @returns { items, blindFrames }
 */
export function blindItems(before, after) {
  const delta = new Map();
  const add = (snaps, sign) => {
    for (const snap of snaps) {
      for (const [room, counts] of Object.entries(snap.deflate?.rooms ?? {})) {
        const d = delta.get(room) ?? [0, 0, 0];
        for (let k = 0; k < 3; k++) d[k] += sign * counts[k];
        delta.set(room, d);
      }
    }
  };
  add(after, 1);
  add(before, -1);
  let sampledFrames = 0;
  let sampledItems = 0;
  for (const [, frames, items] of delta.values()) {
    sampledFrames += frames;
    sampledItems += items;
  }
  const overall = sampledFrames ? sampledItems / sampledFrames : 0;
  let items = 0;
  let blindFrames = 0;
  for (const [blind, frames, sampled] of delta.values()) {
    blindFrames += blind;
    items += blind * (frames ? sampled / frames : overall);
  }
  return { items, blindFrames };
}
