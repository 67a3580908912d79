import { once } from 'node:events';
import net from 'node:net';
import { GUARDED_HOST_MAIN } from './support/e2e-build.js';
import { get, postJson } from './support/http.js';
import { type RunningServer, startServer } from './support/server.js';
import { Viewer } from './support/viewer.js';

// The direct publish route takes only well-formed requests and leaves the rest to the
// Nest controller. Express adds an ETag to what it answers and the direct route does not,
// which tells who answered.
describe('direct publish route', () => {
  let server: RunningServer;
  let viewer: Viewer;
  beforeAll(async () => {
    server = await startServer({ BATCH_WINDOW_MS: '20' });
    viewer = await Viewer.connect(server.ws);
    await viewer.join('direct');
    // A room of their own for the raw-body cases: nothing big published beside them can
    // thin them out of a window.
    await viewer.join('direct-raw');
  });
  afterAll(async () => {
    viewer.close();
    await server.stop();
  });

  const post = (path: string, init: RequestInit) =>
    fetch(server.http + path, { method: 'POST', ...init, headers: { 'content-type': 'application/json', ...init.headers } });

  it('answers a JSON body with a charset parameter', async () => {
    const response = await post('/rooms/direct/comments', {
      body: JSON.stringify({ text: 'with charset' }),
      headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
    });
    expect(response.status).toBe(202);
    expect(response.headers.has('etag')).toBe(false);
    await viewer.next((f) => f.type === 'PUSH' && f.data.items.some((i: any) => i.text === 'with charset'));
  });

  it.each([
    ['a query string', '/rooms/direct/comments?source=test', { body: JSON.stringify({ text: 'query' }) }],
    ['a chunked body', '/rooms/direct/comments', { body: streamOf(JSON.stringify({ text: 'chunked' })), duplex: 'half' }],
    [
      'a body over 64 KB',
      '/rooms/direct/comments/batch',
      { body: JSON.stringify({ items: Array.from({ length: 400 }, () => ({ text: 'x'.repeat(200) })) }) },
    ],
  ])('leaves %s to Nest, which publishes it', async (_, path, init) => {
    const response = await post(path, init as RequestInit);
    expect(response.status).toBe(202);
    expect(response.headers.has('etag')).toBe(true);
  });

  // Raw JSON text: "__proto__" is then an own key of the parsed body, as on the wire.
  it.each([
    ['optional fields set to null (the ValidationPipe accepts them too)', 'nulls', '{"text":"nulls","color":null,"mode":null}'],
    ['a "__proto__" key (the ValidationPipe strips it)', 'proto', '{"text":"proto","__proto__":{"color":"#000000","mode":"top"}}'],
  ])('answers a body with %s itself', async (_, text, body) => {
    const response = await post('/rooms/direct-raw/comments', { body });
    expect(response.status).toBe(202);
    expect(response.headers.has('etag')).toBe(false);
    const push = await viewer.next((f) => f.type === 'PUSH' && f.data.items.some((i: any) => i.text === text));
    expect(push.data.items.find((i: any) => i.text === text)).toMatchObject({ color: '#ffffff', mode: 'scroll' });
  });

  it('refuses a batch whose items are arrays with the ValidationPipe 400', async () => {
    const answer = await postJson(server.http, '/rooms/direct/comments/batch', { items: [[{ text: 'nested' }]] });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual(['each value in items must be an object']);
  });

  it('leaves an unknown path under /rooms to Nest (404)', async () => {
    const answer = await postJson(server.http, '/rooms/direct/comments/extra', { text: 'x' });
    expect(answer.status).toBe(404);
  });

  it('a body it has read but cannot accept gets the ValidationPipe 400 naming the field', async () => {
    const answer = await postJson(server.http, '/rooms/direct/comments/batch', { items: [{ text: 'ok' }, { text: 'ok', mode: 'spin' }] });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual(['items.1.mode must be one of the following values: scroll, top, bottom']);
  });

  it('survives publishers that hang up before their body is complete', async () => {
    for (const body of ['{"text":', '{"text":"x"}']) {
      const socket = net.connect(server.port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(`POST /rooms/direct/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n${body}`);
      socket.destroy();
      await once(socket, 'close');
    }
    expect((await get(server.http, '/healthz')).status).toBe(200);
    expect((await postJson(server.http, '/rooms/direct/comments', { text: 'after' })).status).toBe(202);
  });

  it('keeps publishing order on one keep-alive connection (pipelined requests)', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    const texts = Array.from({ length: 50 }, (_, i) => `order-${i}`);
    socket.write(
      texts
        .map((text) => {
          const body = JSON.stringify({ text });
          return `POST /rooms/direct/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
        })
        .join(''),
    );
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    await vi.waitFor(() => expect(received.match(/HTTP\/1\.1 202/g)).toHaveLength(50));
    socket.destroy();
    const seqs = [...received.matchAll(/"seq":(\d+)/g)].map((m) => Number(m[1]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await vi.waitFor(() => expect(viewer.itemsIn('direct').filter((i) => i.text.startsWith('order-'))).toHaveLength(50));
    expect(viewer.itemsIn('direct').filter((i) => i.text.startsWith('order-')).map((i) => i.text)).toEqual(texts);
  });
});

function streamOf(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
}

describe('direct publish route in a host app with a global guard', () => {
  let host: RunningServer;
  beforeAll(async () => {
    host = await startServer({}, 0, GUARDED_HOST_MAIN);
  });
  afterAll(() => host.stop());

  it('stays off, so the guard sees every publish', async () => {
    expect(host.output()).toContain('publishing goes through Nest: the app has global guards');
    const before = (await get(host.http, '/guard-count')).body.seen;
    const answer = await postJson(host.http, '/rooms/guarded/comments', { text: 'through the guard' });
    expect(answer.status).toBe(202);
    expect(answer.headers.has('etag')).toBe(true);
    // The guard also ran for the first /guard-count.
    expect((await get(host.http, '/guard-count')).body.seen).toBe(before + 2);
  });

  it('leaves PING, JOIN, LEAVE and COMMENT frames to the gateway, so the guard sees each', async () => {
    const viewer = await Viewer.connect(host.ws);
    try {
      const before = (await get(host.http, '/guard-count')).body.seen;
      await viewer.request('PING', {}, 'PONG');
      await viewer.join('guarded');
      await viewer.request('COMMENT', { room: 'guarded', text: 'through the guard', cid: 'g1' }, 'ACK');
      await viewer.request('LEAVE', { room: 'guarded' }, 'LEFT');
      // Four frames, and the /guard-count that reads the total.
      expect((await get(host.http, '/guard-count')).body.seen).toBe(before + 5);
    } finally {
      viewer.close();
    }
  });
});
