import { once } from 'node:events';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { type ClientOptions, WebSocket, WebSocketServer } from 'ws';
import {
  applyPerMessageDeflate,
  compressedTextFrame,
  isOpen,
  PER_MESSAGE_DEFLATE,
  PING_FRAME,
  hasHandle,
  plainFdOf,
  rawSocketOf,
  serverWindowBitsOf,
  textFrame,
} from './socket-internals.js';

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
  expect(hasHandle(socket)).toBe(true);
  socket.destroy();
  // In the same call, before any event: a kept fd must stop being used at once.
  expect(hasHandle(socket)).toBe(false);
  await once(socket, 'close');
  expect(plainFdOf(socket)).toBe(-1);
});

test('isOpen turns false as soon as a close begins', () => {
  expect(isOpen(serverSide)).toBe(true);
  serverSide.close(1000);
  expect(isOpen(serverSide)).toBe(false);
});

describe('permessage-deflate, as PER_MESSAGE_DEFLATE and applyPerMessageDeflate set it up', () => {
  const MAX_PAYLOAD = 4096;
  let deflateServer: WebSocketServer;
  let url: string;
  const opened: WebSocket[] = [];

  beforeEach(async () => {
    deflateServer = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: PER_MESSAGE_DEFLATE, maxPayload: MAX_PAYLOAD });
    applyPerMessageDeflate(deflateServer);
    // ws reports a receiver error on the connection before it closes it (as the gateway logs it).
    deflateServer.on('connection', (accepting) => accepting.on('error', () => {}));
    await once(deflateServer, 'listening');
    url = `ws://127.0.0.1:${(deflateServer.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    for (const socket of opened.splice(0)) socket.terminate();
    deflateServer.close();
  });

  /** A ws client, the server's side of it, and the extensions the server answered with. */
  async function connect(options: ClientOptions) {
    const accepted = once(deflateServer, 'connection') as Promise<[WebSocket]>;
    const connecting = new WebSocket(url, options);
    opened.push(connecting);
    const upgraded = once(connecting, 'upgrade') as Promise<[{ headers: Record<string, string | undefined> }]>;
    const [[accepting], [response]] = await Promise.all([accepted, upgraded, once(connecting, 'open')]);
    return { connecting, accepting, answer: response.headers['sec-websocket-extensions'] };
  }

  /** The server's Sec-WebSocket-Extensions answer to a raw upgrade offering `offer`, and its status. */
  function answerTo(offer: string): Promise<{ status: number; answer: string | undefined }> {
    return new Promise((resolve, reject) => {
      const upgrade = request(url.replace('ws:', 'http:'), {
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Extensions': offer,
        },
      });
      upgrade.on('upgrade', (response, socket) => {
        socket.destroy();
        resolve({ status: response.statusCode!, answer: response.headers['sec-websocket-extensions'] });
      });
      upgrade.on('response', (response) => resolve({ status: response.statusCode!, answer: undefined }));
      upgrade.on('error', reject);
      upgrade.end();
    });
  }

  test('answers with no context takeover both ways and the window the client asked for', async () => {
    const usual = await connect({});
    expect(usual.answer).toBe('permessage-deflate; server_no_context_takeover; client_no_context_takeover');
    expect(serverWindowBitsOf(usual.accepting)).toBe(15);
    const narrow = await connect({ perMessageDeflate: { serverMaxWindowBits: 10 } });
    expect(narrow.answer).toMatch(/server_max_window_bits=10/);
    expect(serverWindowBitsOf(narrow.accepting)).toBe(10);
    const plain = await connect({ perMessageDeflate: false });
    expect(plain.answer).toBeUndefined();
    expect(serverWindowBitsOf(plain.accepting)).toBe(0);
  });

  test('declines the offers ws would answer with a 400, keeping the valid ones', async () => {
    expect(await answerTo('permessage-deflate; server_max_window_bits=7, permessage-deflate; server_max_window_bits=11')).toEqual({
      status: 101,
      answer: 'permessage-deflate; server_max_window_bits=11; server_no_context_takeover; client_no_context_takeover',
    });
    expect(await answerTo('permessage-deflate; x-unknown=1')).toEqual({ status: 101, answer: undefined });
    expect(await answerTo('permessage-deflate; server_max_window_bits=9; server_max_window_bits=10')).toEqual({ status: 101, answer: undefined });
    expect(await answerTo('permessage-deflate;; =')).toEqual({ status: 101, answer: undefined });
  });

  test('a compressed text frame written to the raw socket arrives as the text', async () => {
    const { connecting, accepting } = await connect({});
    const text = JSON.stringify({ type: 'PUSH', data: { items: Array.from({ length: 30 }, (_, i) => ({ text: `item ${i}` })) } });
    const deflated = zlib.deflateRawSync(Buffer.from(text), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);
    const received = once(connecting, 'message') as Promise<[Buffer, boolean]>;
    rawSocketOf(accepting).write(compressedTextFrame(deflated));
    const [data, isBinary] = await received;
    expect(isBinary).toBe(false);
    expect(data.toString()).toBe(text);
  });

  test('compressed messages from the client, fragmented or not, are understood and leave no zlib stream behind', async () => {
    const { connecting, accepting } = await connect({ perMessageDeflate: { threshold: 0 } });
    const received: string[] = [];
    const all = new Promise<void>((resolve) =>
      accepting.on('message', (data) => {
        received.push(data.toString());
        if (received.length === 3) resolve();
      }),
    );
    connecting.send('{"type":"JOIN","data":{"room":"r"}}');
    connecting.send('{"type":"COMMENT",', { fin: false });
    connecting.send('"data":{"room":"r","text":"hi"}}', { fin: true });
    connecting.send('x'.repeat(MAX_PAYLOAD));
    await all;
    expect(received).toEqual(['{"type":"JOIN","data":{"room":"r"}}', '{"type":"COMMENT","data":{"room":"r","text":"hi"}}', 'x'.repeat(MAX_PAYLOAD)]);
    const extension = (accepting as unknown as { _extensions: Record<string, { _inflate: unknown }> })._extensions['permessage-deflate'];
    expect(extension._inflate).toBeNull();
  });

  test('a message that inflates past maxPayload is closed with 1009, one that does not inflate with 1007', async () => {
    const big = await connect({ perMessageDeflate: { threshold: 0 } });
    const bigClosed = once(big.connecting, 'close');
    big.connecting.send('x'.repeat(MAX_PAYLOAD + 1));
    expect((await bigClosed)[0]).toBe(1009);

    const bad = await connect({});
    const badClosed = once(bad.connecting, 'close');
    // FIN, RSV1, text; masked with a zero key; a deflate block of the reserved type 3.
    rawSocketOf(bad.connecting).write(Buffer.from([0xc1, 0x83, 0, 0, 0, 0, 0xff, 0xff, 0xff]));
    expect((await badClosed)[0]).toBe(1007);
  });
});
