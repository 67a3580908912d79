import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { isOpen, PING_FRAME, plainFdOf, rawSocketOf, textFrame } from './socket-internals.js';

// Pins what the server relies on in the installed `ws` and Node: a failure here after an
// upgrade names the function in socket-internals.ts to fix.

let server: WebSocketServer;
let client: WebSocket;
let serverSide: WebSocket;

beforeEach(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[WebSocket]>;
  client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  [serverSide] = await accepted;
  await once(client, 'open');
});

afterEach(async () => {
  client.terminate();
  server.close();
});

test('a text frame written to the raw socket arrives as one message, at every length form', async () => {
  const texts = ['hi', 'é'.repeat(100), 'x'.repeat(70_000)];
  const received: string[] = [];
  const all = new Promise<void>((resolve) =>
    client.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      received.push(data.toString());
      if (received.length === texts.length) resolve();
    }),
  );
  const socket = rawSocketOf(serverSide);
  for (const text of texts) socket.write(textFrame(text));
  await all;
  expect(received).toEqual(texts);
});

test('the prebuilt ping frame is answered with a pong', async () => {
  const pinged = once(client, 'ping');
  const ponged = once(serverSide, 'pong');
  rawSocketOf(serverSide).write(PING_FRAME);
  await Promise.all([pinged, ponged]);
});

test('an open plain TCP socket has a file descriptor; a destroyed one has none', async () => {
  const socket = rawSocketOf(serverSide);
  expect(plainFdOf(socket)).toBeGreaterThan(2);
  socket.destroy();
  await once(socket, 'close');
  expect(plainFdOf(socket)).toBe(-1);
});

test('isOpen turns false as soon as a close begins', () => {
  expect(isOpen(serverSide)).toBe(true);
  serverSide.close(1000);
  expect(isOpen(serverSide)).toBe(false);
});
