import type { ClientOptions } from 'ws';
import { get, postForm, postJson } from './support/http.js';
import { RawWsClient } from './support/raw-ws-client.js';
import { type RunningServer, startServer } from './support/server.js';
import { type Frame, Viewer } from './support/viewer.js';

const ANSWER = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';

/** Comments that repeat at every distance, so a frame deflated with too big a window would not inflate. */
const comments = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({ text: `${prefix} ${i} ${'前方高能 '.repeat(i % 6)}${'lol'.repeat(i % 9)}` }));

const pushes = (viewer: Viewer) => viewer.frames.filter((f) => f.type === 'PUSH').map((f) => f.data);

describe('permessage-deflate (COMPRESSION=deflate, the default)', () => {
  let server: RunningServer;
  const stats = async () => (await get(server.http, '/stats')).body;

  beforeAll(async () => {
    server = await startServer({ BATCH_WINDOW_MS: '30', HISTORY_SIZE: '100', MAX_PAYLOAD: '4096' });
  });
  afterAll(() => server.stop());

  it('answers an offer with no context takeover both ways, and a client that offers nothing with no extension', async () => {
    const packed = await Viewer.connect(server.ws);
    const plain = await Viewer.connect(server.ws, { perMessageDeflate: false });
    expect(packed.extensions).toBe(ANSWER);
    expect(plain.extensions).toBeUndefined();
    expect((await stats()).compressedConnections).toBe(1);
    packed.close();
    plain.close();
  });

  it('gives compressed and plain clients identical messages: live batches, broadcasts, go-push pushes and replays', async () => {
    const plain = await Viewer.connect(server.ws, { perMessageDeflate: false });
    const packed = await Viewer.connect(server.ws);
    const narrow = await Viewer.connect(server.ws, { perMessageDeflate: { serverMaxWindowBits: 9 } });
    const raw = await RawWsClient.connect(server.ws, 'permessage-deflate; client_max_window_bits');
    const viewers = [plain, packed, narrow];
    for (const viewer of viewers) await viewer.join('mixed');
    raw.send(JSON.stringify({ type: 'JOIN', data: { room: 'mixed' } }));
    await raw.next((m) => m.type === 'JOINED');

    expect((await postJson(server.http, '/rooms/mixed/comments/batch', { items: comments('live', 25) })).status).toBe(202);
    expect((await postJson(server.http, '/rooms/mixed/comments', { text: 'one more' })).status).toBe(202);
    expect((await postJson(server.http, '/broadcast', { text: 'to everyone' })).status).toBe(202);
    expect((await postForm(server.http, '/push/room', { room: 'mixed', items: '[{"gift": "🚀", "n": 1.50},"go-push"]' })).status).toBe(200);
    expect((await postForm(server.http, '/push/all', { items: '["the last one"]' })).status).toBe(200);

    // Every item, whatever frame it rides in: the room's window and the broadcasts' are not
    // written in the order they were published in.
    const everything = 25 + 1 + 1 + 2 + 1;
    const rawPushes = () => raw.messages.map((m) => ({ ...m, ...JSON.parse(m.text) })).filter((m) => m.type === 'PUSH');
    await vi.waitFor(
      () => {
        for (const viewer of viewers) expect(pushes(viewer).flatMap((p) => p.items)).toHaveLength(everything);
        expect(rawPushes().flatMap((m) => m.data.items)).toHaveLength(everything);
      },
      { timeout: 5000 },
    );
    expect(pushes(packed)).toEqual(pushes(plain));
    expect(pushes(narrow)).toEqual(pushes(plain));
    expect(rawPushes().map((m) => m.data)).toEqual(pushes(plain));
    // Every PUSH reached the deflate clients compressed, byte for byte the plain text once inflated.
    expect(rawPushes().every((m) => m.compressed)).toBe(true);
    const last = rawPushes().find((m) => m.data.items.includes('the last one'))!;
    expect(last.text).toBe('{"type":"PUSH","data":{"room":null,"items":["the last one"]}}');

    const replayed = async (options: ClientOptions) => {
      const joiner = await Viewer.connect(server.ws, options);
      const joined = await joiner.join('mixed', 0);
      const frames = joiner.frames.slice(0, joiner.frames.indexOf(joined)).filter((f: Frame) => f.type === 'PUSH');
      joiner.close();
      return frames.map((f) => f.data);
    };
    const plainReplay = await replayed({ perMessageDeflate: false });
    expect(plainReplay.flatMap((p) => p.items.map((i: any) => i.seq))).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    expect(await replayed({})).toEqual(plainReplay);
    expect(await replayed({ perMessageDeflate: { serverMaxWindowBits: 8 } })).toEqual(plainReplay);

    const counters = await stats();
    expect(counters.deflateCalls).toBeGreaterThan(0);
    expect(counters.bytesOut).toBeLessThan(counters.plainBytesOut);
    for (const viewer of viewers) viewer.close();
    raw.close();
  });

  it('deflates a batch once per window in use, whatever the number of members', async () => {
    const members = [
      ...(await Promise.all(Array.from({ length: 12 }, () => Viewer.connect(server.ws)))),
      ...(await Promise.all(Array.from({ length: 4 }, () => Viewer.connect(server.ws, { perMessageDeflate: false })))),
      ...(await Promise.all(Array.from({ length: 4 }, () => Viewer.connect(server.ws, { perMessageDeflate: { serverMaxWindowBits: 10 } })))),
    ];
    for (const viewer of members) await viewer.join('once');
    const before = (await stats()).deflateCalls;
    await postJson(server.http, '/rooms/once/comments/batch', { items: comments('once', 8) });
    for (const viewer of members) await viewer.next('PUSH');
    // One batch, two windows (15 and 10): two deflates for sixteen compressed members.
    expect((await stats()).deflateCalls - before).toBe(2);
    expect(new Set(members.map((viewer) => JSON.stringify(pushes(viewer)))).size).toBe(1);
    for (const viewer of members) viewer.close();
  });

  it.each([
    ['permessage-deflate; server_max_window_bits=9', /server_max_window_bits=9/],
    ['permessage-deflate; server_max_window_bits=8', /server_max_window_bits=8/],
    ['permessage-deflate; client_max_window_bits=10', /client_max_window_bits=10/],
    ['permessage-deflate; server_max_window_bits=7, permessage-deflate; server_max_window_bits=12', /^permessage-deflate; server_max_window_bits=12;/],
    ['permessage-deflate; server_max_window_bits=10; client_no_context_takeover, permessage-deflate', /server_max_window_bits=10/],
    ['x-webkit-deflate-frame, permessage-deflate', /^permessage-deflate; server_no_context_takeover/],
    ['permessage-deflate; x-unknown=1', undefined],
    ['permessage-deflate;; =', undefined],
  ])('offered %s: decodes every message with the window it allowed, or gets no extension', async (offer, answer) => {
    const client = await RawWsClient.connect(server.ws, offer);
    if (answer === undefined) expect(client.answer).toBeUndefined();
    else expect(client.answer).toMatch(answer);
    const room = `odd-${Math.random().toString(36).slice(2)}`;
    // JOIN and COMMENT go compressed (with the client's window) whenever the extension is on.
    client.send(JSON.stringify({ type: 'JOIN', data: { room } }));
    await client.next((m) => m.type === 'JOINED');
    client.send(JSON.stringify({ type: 'COMMENT', data: { room, text: 'from the raw client', cid: 'c1' } }), { fragmented: true });
    expect((await client.next((m) => m.type === 'ACK' || m.type === 'ERROR')).type).toBe('ACK');
    const published = comments('odd', 40);
    await postJson(server.http, `/rooms/${room}/comments/batch`, { items: published });
    const texts: string[] = [];
    while (texts.length < 41) {
      const push = await client.next((m) => m.type === 'PUSH' && !texts.includes(m.data.items[0].text));
      expect(push.compressed).toBe(answer !== undefined);
      texts.push(...push.data.items.map((i: any) => i.text));
    }
    expect(texts).toEqual(['from the raw client', ...published.map((c) => c.text)]);
    expect(client.failure).toBeUndefined();
    client.close();
  });

  it('understands compressed client frames and closes with 1009 one that inflates past MAX_PAYLOAD', async () => {
    const sender = await Viewer.connect(server.ws, { perMessageDeflate: { threshold: 0 } });
    expect(sender.extensions).toBe(ANSWER);
    await sender.join('inbound');
    const ack = await sender.request('COMMENT', { room: 'inbound', text: 'compressed on the way in', cid: 'z' }, 'ACK');
    expect(ack.data.cid).toBe('z');
    expect((await sender.next('PUSH')).data.items[0].text).toBe('compressed on the way in');
    // About 40 bytes on the wire, 5000 once inflated.
    sender.send('PING', { pad: 'a'.repeat(5000) });
    expect(await sender.closed).toMatchObject({ code: 1009 });
  });
});

describe('COMPRESSION=off', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ COMPRESSION: 'off' });
  });
  afterAll(() => server.stop());

  it('declines the extension and sends plain frames to a client that offers it', async () => {
    const viewer = await Viewer.connect(server.ws);
    expect(viewer.extensions).toBeUndefined();
    const raw = await RawWsClient.connect(server.ws, 'permessage-deflate; client_max_window_bits');
    expect(raw.answer).toBeUndefined();
    await viewer.join('off');
    raw.send(JSON.stringify({ type: 'JOIN', data: { room: 'off' } }));
    await raw.next((m) => m.type === 'JOINED');
    await postJson(server.http, '/rooms/off/comments', { text: 'plain as ever' });
    expect((await viewer.next('PUSH')).data.items[0].text).toBe('plain as ever');
    expect((await raw.next((m) => m.type === 'PUSH')).compressed).toBe(false);
    const counters = (await get(server.http, '/stats')).body;
    expect(counters).toMatchObject({ deflateCalls: 0, compressedConnections: 0 });
    expect(counters.bytesOut).toBe(counters.plainBytesOut);
    viewer.close();
    raw.close();
  });
});
