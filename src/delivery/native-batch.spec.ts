import { once } from 'node:events';
import net from 'node:net';
import { plainFdOf } from '../sockets/socket-internals.js';
import { loadNativeWriter, NativeBatch } from './native-batch.js';

/** A real loopback connection: the server's end (written to) and the client's (read). */
interface Pair {
  server: net.Socket;
  client: net.Socket;
}

const listeners: net.Server[] = [];
const sockets: net.Socket[] = [];

async function connectPairs(count: number): Promise<Pair[]> {
  // Server ends do not read: a reset reaches them only through a write, as in the fan-out.
  const listener = net.createServer({ pauseOnConnect: true });
  listeners.push(listener);
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as net.AddressInfo;
  const pairs: Pair[] = [];
  for (let i = 0; i < count; i++) {
    const accepted = once(listener, 'connection') as Promise<[net.Socket]>;
    const client = net.connect(port, '127.0.0.1');
    const [server] = await accepted;
    await once(client, 'connect');
    sockets.push(server, client);
    pairs.push({ server, client });
  }
  return pairs;
}

/** Everything the client reads until it has `bytes`. */
async function readBytes(client: net.Socket, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  client.resume();
  for await (const chunk of client as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    total += chunk.length;
    if (total >= bytes) break;
  }
  return Buffer.concat(chunks);
}

function nativeWriteEach() {
  const native = loadNativeWriter();
  if (!('writeEach' in native)) throw new Error(`the addon is not built: ${native.unavailable}`);
  return native.writeEach;
}

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const listener of listeners.splice(0)) listener.close();
});

describe('NativeBatch', () => {
  it('loads the addon built by npm ci', () => {
    expect(loadNativeWriter()).toEqual({ writeEach: expect.any(Function) });
  });

  it('writes the same frame to every socket added, sending a full batch before taking more', async () => {
    const pairs = await connectPairs(5);
    const batch = new NativeBatch(nativeWriteEach(), 2);
    const frame = Buffer.from('one frame, five sockets');
    for (const { server } of pairs) expect(batch.add(server, frame)).toBe(true);
    batch.send(frame);
    for (const { client } of pairs) expect((await readBytes(client, frame.length)).toString()).toBe(frame.toString());
  });

  it('hands the rest of a frame the kernel only partly took to socket.write, so the stream stays whole and in order', async () => {
    const [{ server, client }] = await connectPairs(1);
    client.pause();
    const batch = new NativeBatch(nativeWriteEach());
    const frames: Buffer[] = [];
    // Distinct frames until Node holds unsent bytes: the kernel's buffers filled mid-frame
    // (loopback takes a few MB; 64 MB is far more).
    for (let i = 0; i < 256 && server.writableLength === 0; i++) {
      const frame = Buffer.alloc(256 * 1024, i % 251);
      frames.push(frame);
      if (!batch.add(server, frame)) server.write(frame);
      batch.send(frame);
    }
    expect(server.writableLength).toBeGreaterThan(0);
    // From now on Node has bytes queued for this socket: the batch must refuse it.
    const next = Buffer.alloc(1000, 7);
    expect(batch.add(server, next)).toBe(false);
    server.write(next);
    frames.push(next);
    const expected = Buffer.concat(frames);
    expect((await readBytes(client, expected.length)).equals(expected)).toBe(true);
  });

  it('refuses a destroyed socket (its fd may already be another connection\'s)', async () => {
    const [{ server }] = await connectPairs(1);
    server.destroy();
    expect(new NativeBatch(nativeWriteEach()).add(server, Buffer.from('x'))).toBe(false);
  });

  it('refuses a destroyed socket whose fd was kept from before', async () => {
    const [{ server }] = await connectPairs(1);
    const kept = plainFdOf(server);
    expect(kept).toBeGreaterThan(2);
    server.destroy();
    expect(new NativeBatch(nativeWriteEach()).add(server, Buffer.from('x'), kept)).toBe(false);
  });

  it('passes a failed send to socket.write, which reports it the way Node always does', async () => {
    const [{ server, client }] = await connectPairs(1);
    client.resetAndDestroy();
    await once(client, 'close');
    const batch = new NativeBatch(nativeWriteEach());
    const frame = Buffer.from('to nobody');
    const errors: Error[] = [];
    server.on('error', (error) => errors.push(error));
    let nativeSends = 0;
    await vi.waitFor(() => {
      if (batch.add(server, frame)) {
        nativeSends++;
        batch.send(frame);
      }
      expect(errors).toHaveLength(1);
    });
    expect(nativeSends).toBeGreaterThan(0);
    expect((errors[0] as NodeJS.ErrnoException).code).toMatch(/^(EPIPE|ECONNRESET)$/);
    expect(server.destroyed).toBe(true);
  });

  it('rejects arguments of the wrong kind with a TypeError', () => {
    const writeEach = nativeWriteEach();
    expect(() => writeEach(new Int32Array(1), 2, new Uint8Array(1), new Int32Array(1))).toThrow(TypeError);
    expect(() => (writeEach as (...args: unknown[]) => void)([3], 1, 'frame', new Int32Array(1))).toThrow(TypeError);
  });
});
