import type { Socket } from 'node:net';
import * as ws from 'ws';
import { WebSocket } from 'ws';

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
// ws exports its Sender at run time; @types/ws does not declare it.
const { Sender } = ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

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
export function textFrame(text: string): Buffer {
  const [header, body] = Sender.frame(Buffer.from(text, 'utf8'), {
    fin: true,
    rsv1: false,
    opcode: TEXT_OPCODE,
    mask: false,
    readOnly: false,
  });
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
 * open. -1 otherwise. Read it per use, never cache it: a closed fd's number is soon
 * another connection's.
 */
export function plainFdOf(socket: Socket): number {
  const raw = socket as unknown as HandledSocket;
  const handle = raw._handle;
  if (!handle || raw.encrypted === true) return -1;
  const fd = handle.fd;
  return fd === undefined || fd < 0 ? -1 : fd;
}
