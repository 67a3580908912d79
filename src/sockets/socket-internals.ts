import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import * as ws from 'ws';
import { type PerMessageDeflateOptions, WebSocket, type WebSocketServer } from 'ws';
import { MessageInflater, MessageTooLargeError } from './zlib-internals.js';

/*
 * Every reach into `ws` and `net` beyond their documented APIs, in one place, so that
 * upgrading `ws` (pinned in package.json) or Node means reading this file and running
 * socket-internals.spec.ts, which pins the behaviour the rest of the server relies on.
 */

interface FrameOptions {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
}
type Offers = Record<string, Record<string, (string | true)[]>[]>;
// ws exports these at run time; @types/ws does not declare them.
const { Sender, PerMessageDeflate, extension } = ws as unknown as {
  Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] };
  PerMessageDeflate: { prototype: { normalizeParams(offers: Record<string, unknown>[]): unknown } };
  extension: { parse(header: string): Offers; format(offers: Offers): string };
};

const TEXT_OPCODE = 0x1;

/**
 * A server ping (FIN, opcode 0x9, no payload), built once: writing these two bytes costs
 * one socket write, where ws.ping() frames and corks anew for each connection.
 */
export const PING_FRAME: Buffer = Buffer.from([0x89, 0x00]);

/**
 * One complete server-to-client text frame (header and payload in a single Buffer), so
 * the fan-out can write the same bytes to every socket.
 */
export function textFrame(text: string | Buffer): Buffer {
  return frame(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, false);
}

/**
 * The same for a message compressed with permessage-deflate (RSV1 set): `deflated` is the
 * raw deflate of the text, flushed, without its trailing 00 00 ff ff (RFC 7692 7.2.1).
 */
export function compressedTextFrame(deflated: Buffer): Buffer {
  return frame(deflated, true);
}

function frame(payload: Buffer, rsv1: boolean): Buffer {
  const [header, body] = Sender.frame(payload, { fin: true, rsv1, opcode: TEXT_OPCODE, mask: false, readOnly: false });
  return Buffer.concat([header, body]);
}

/** The TCP socket under a ws connection: bytes written to it bypass ws's framing and queue. */
export function rawSocketOf(connection: WebSocket): Socket {
  return (connection as unknown as { _socket: Socket })._socket;
}

/** Whether frames may be written to the connection (open: handshake done, no close begun). */
export function isOpen(connection: WebSocket): boolean {
  return connection.readyState === WebSocket.OPEN;
}

/** Node's handle under a net.Socket: null once the socket is destroyed and its fd closed. */
interface HandledSocket {
  _handle?: { fd?: number } | null;
  encrypted?: boolean;
}

/**
 * The socket's file descriptor when bytes written to it with send(2) are exactly what
 * socket.write would send: plain TCP (TLS bytes must pass through the TLS layer), still
 * open. -1 otherwise (also for no socket at all). A number kept from here is valid only
 * while hasHandle(socket): a closed fd's number is soon another connection's.
 */
export function plainFdOf(socket: Socket | undefined): number {
  const raw = socket as unknown as HandledSocket | undefined;
  const handle = raw?._handle;
  if (!handle || raw!.encrypted === true) return -1;
  const fd = handle.fd;
  return fd === undefined || fd < 0 ? -1 : fd;
}

/**
 * Whether the socket still holds its handle, and so the fd plainFdOf gave for it: Node
 * drops the handle in the same call that closes the fd. A property read, where reading
 * the fd itself crosses into C++ (measured: the fan-out's costliest line per member).
 */
export function hasHandle(socket: Socket): boolean {
  return (socket as unknown as HandledSocket)._handle != null;
}

const PERMESSAGE_DEFLATE = 'permessage-deflate';

/**
 * ws's permessage-deflate options for the fan-out (PROTOCOL.md section 5): every message
 * compressed on its own both ways, so that one deflated batch serves every member with
 * the same window, and a connection keeps no zlib state between messages. A server made
 * with them needs applyPerMessageDeflate.
 */
export const PER_MESSAGE_DEFLATE: PerMessageDeflateOptions = {
  serverNoContextTakeover: true,
  // RFC 7692 lets the server impose it even when the client did not offer it.
  clientNoContextTakeover: true,
  // ws never compresses what it sends: its deflate stream would be one more per
  // connection (about 300 KB) for control answers too small to gain. ws applies the
  // threshold only without context takeover, which the answer always has.
  threshold: Number.POSITIVE_INFINITY,
};

/**
 * Completes PER_MESSAGE_DEFLATE on a server created with it: extension offers that ws
 * would answer with a 400 are declined instead, and every connection inflates each
 * message it receives on its own.
 */
export function applyPerMessageDeflate(server: WebSocketServer): void {
  const handleUpgrade = server.handleUpgrade.bind(server) as (request: IncomingMessage, ...rest: unknown[]) => void;
  server.handleUpgrade = ((request: IncomingMessage, ...rest: unknown[]) => {
    const offered = request.headers['sec-websocket-extensions'];
    if (offered !== undefined) {
      const acceptable = acceptableOffers(offered);
      if (acceptable === undefined) delete request.headers['sec-websocket-extensions'];
      else request.headers['sec-websocket-extensions'] = acceptable;
    }
    handleUpgrade(request, ...rest);
  }) as typeof server.handleUpgrade;
  // Listeners added after this one (Nest's) run later; no message can arrive before.
  server.on('connection', inflateEachMessageAlone);
}

/** ws's PerMessageDeflate instance of a connection that negotiated the extension. */
interface NegotiatedDeflate {
  params: { server_max_window_bits?: number };
  /** The server's maxPayload (0: none), which ws also applies to inflated messages. */
  _maxPayload: number;
  decompress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  /** Compressed fragments of the message being received (see inflateAlone). */
  fragments?: Buffer[];
  /** The connection's frame parser, set by inflateEachMessageAlone. */
  receiver?: Receiver;
}

/** ws's frame parser: makes errors carrying the close code it closes the connection with. */
interface Receiver {
  createError(type: ErrorConstructor, message: string, prefix: boolean, statusCode: number, errorCode: string): Error;
}

function negotiatedDeflateOf(connection: WebSocket): NegotiatedDeflate | undefined {
  return (connection as unknown as { _extensions?: Record<string, NegotiatedDeflate> })._extensions?.[PERMESSAGE_DEFLATE];
}

/**
 * The window the server may use for what it compresses to this connection: the
 * server_max_window_bits it negotiated (8 to 15; 15 when it asked for none), or 0 when it
 * did not negotiate permessage-deflate.
 */
export function serverWindowBitsOf(connection: WebSocket): number {
  const negotiated = negotiatedDeflateOf(connection);
  if (negotiated === undefined) return 0;
  return negotiated.params.server_max_window_bits ?? 15;
}

/**
 * The Sec-WebSocket-Extensions offers with every permessage-deflate offer that ws would
 * refuse (an unknown parameter, a bad value) left out, and undefined when nothing is left
 * or the header does not parse: RFC 7692 has a server decline such an offer, where ws
 * fails the whole handshake with 400.
 */
function acceptableOffers(header: string): string | undefined {
  let offers: Offers;
  try {
    offers = extension.parse(header);
  } catch {
    return undefined;
  }
  const deflate = offers[PERMESSAGE_DEFLATE];
  if (deflate !== undefined) {
    const valid = deflate.filter((offer) => {
      try {
        // Normalizes a copy: ws parses the header again and normalizes its own.
        PerMessageDeflate.prototype.normalizeParams.call({ _isServer: true }, [{ ...offer }]);
        return true;
      } catch {
        return false;
      }
    });
    if (valid.length > 0) offers[PERMESSAGE_DEFLATE] = valid;
    else delete offers[PERMESSAGE_DEFLATE];
  }
  return Object.keys(offers).length > 0 ? extension.format(offers) : undefined;
}

const NOTHING = Buffer.alloc(0);
/** One for the process, made at the first compressed message: inflating holds it for no time. */
let inflater: MessageInflater | undefined;

/**
 * Has the connection inflate each compressed message it receives on its own, with the
 * process's one MessageInflater, instead of ws's zlib stream, which ws keeps for the
 * connection's whole life once a first compressed message came (15 KB more RSS per
 * connection, measured). Only valid when the connection negotiated
 * client_no_context_takeover (the server's answer always carries it), so that every
 * message inflates on its own.
 */
function inflateEachMessageAlone(connection: WebSocket): void {
  const negotiated = negotiatedDeflateOf(connection);
  if (negotiated === undefined) return;
  // The connection's own: @nestjs/platform-ws may run another copy of ws than this file imports.
  negotiated.receiver = (connection as unknown as { _receiver: Receiver })._receiver;
  negotiated.decompress = inflateAlone;
}

/** ws's decompress contract: called per fragment; answers asynchronously, like zlib. */
function inflateAlone(this: NegotiatedDeflate, data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void) {
  if (!fin) {
    (this.fragments ??= []).push(data);
    process.nextTick(callback, null, NOTHING);
    return;
  }
  const compressed = this.fragments === undefined ? data : Buffer.concat([...this.fragments, data]);
  this.fragments = undefined;
  let message: Buffer;
  try {
    message = (inflater ??= new MessageInflater()).inflate(compressed, this._maxPayload > 0 ? this._maxPayload : undefined);
  } catch (error) {
    // As ws's own inflate fails: 1009 past maxPayload, 1007 for data that does not inflate.
    const failure =
      error instanceof MessageTooLargeError
        ? this.receiver!.createError(RangeError, 'Max payload size exceeded', false, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
        : this.receiver!.createError(Error, (error as Error).message, false, 1007, (error as NodeJS.ErrnoException).code ?? 'Z_DATA_ERROR');
    process.nextTick(callback, failure);
    return;
  }
  process.nextTick(callback, null, message);
}

/**
 * The deflate window a member's compressed frames are made with: the server_max_window_bits
 * it negotiated, or 0 for a member without compression. Node deflates raw data with a
 * 9-bit window when asked for 8, and such a stream never refers further back than 250
 * bytes (zlib keeps 262 bytes of lookahead), so the 9-bit frames serve 8-bit members too.
 */
export function deflateWindowFor(serverWindowBits: number): number {
  return serverWindowBits === 8 ? 9 : serverWindowBits;
}
