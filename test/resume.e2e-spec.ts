import { postJson } from './support/http.js';
import { type RunningServer, startServer } from './support/server.js';
import { type Frame, Viewer } from './support/viewer.js';

/** Publishes `count` comments "<prefix>0", "<prefix>1" … in one batch. */
const publishNumbered = (server: RunningServer, room: string, count: number, prefix: string) =>
  postJson(server.http, `/rooms/${room}/comments/batch`, {
    items: Array.from({ length: count }, (_, i) => ({ text: `${prefix}${i}` })),
  });

describe('resume with JOIN {since}', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ HISTORY_SIZE: '5', BATCH_MAX_ITEMS: '2', BATCH_WINDOW_MS: '20' });
  });
  afterAll(() => server.stop());

  const publish = (room: string, count: number, prefix: string) => publishNumbered(server, room, count, prefix);

  /** Sends JOIN {since} and returns the PUSH frames that came before JOINED, and JOINED. */
  async function resume(room: string, since: number): Promise<{ replayed: Frame[]; joined: Frame }> {
    const viewer = await Viewer.connect(server.ws);
    const joined = await viewer.join(room, since);
    const replayed = viewer.frames.slice(0, viewer.frames.indexOf(joined)).filter((f) => f.type === 'PUSH');
    viewer.close();
    return { replayed, joined };
  }

  it('replays the kept items after since, oldest first, in frames of at most BATCH_MAX_ITEMS, before JOINED', async () => {
    await publish('nogap', 3, 'n');
    const { replayed, joined } = await resume('nogap', 0);
    expect(replayed.map((f) => f.data.items.map((i: any) => i.seq))).toEqual([[1, 2], [3]]);
    expect(replayed.every((f) => f.data.room === 'nogap')).toBe(true);
    expect(joined.data).toEqual({ room: 'nogap', seq: 3, epoch: expect.any(String), online: 1 });
    expect((await resume('nogap', 2)).replayed.map((f) => f.data.items.map((i: any) => i.text))).toEqual([['n2']]);
    expect((await resume('nogap', 3)).replayed).toEqual([]);
  });

  it('replays only on a real join: a JOIN {since} for a room already joined replays nothing', async () => {
    await publish('again', 3, 'a');
    const viewer = await Viewer.connect(server.ws);
    await viewer.join('again', 0);
    const pushesBefore = viewer.frames.filter((f) => f.type === 'PUSH').length;
    expect(pushesBefore).toBe(2);
    const joined = await viewer.join('again', 0);
    expect(joined.data).toEqual({ room: 'again', seq: 3, epoch: expect.any(String), online: 1 });
    expect(viewer.frames.filter((f) => f.type === 'PUSH').length).toBe(pushesBefore);
    viewer.close();
  });

  it('replays what is kept and flags a gap when older items are gone', async () => {
    await publish('gap', 10, 'g');
    const { replayed, joined } = await resume('gap', 2);
    expect(replayed.flatMap((f) => f.data.items.map((i: any) => i.seq))).toEqual([6, 7, 8, 9, 10]);
    expect(joined.data).toEqual({ room: 'gap', seq: 10, epoch: expect.any(String), online: 1, gap: true });
    expect((await resume('gap', 5)).joined.data.gap).toBeUndefined();
  });

  it('treats a since beyond the last seq (a restarted server) as a gap and replays all it has', async () => {
    await publish('future', 2, 'f');
    const { replayed, joined } = await resume('future', 99);
    expect(replayed.flatMap((f) => f.data.items.map((i: any) => i.seq))).toEqual([1, 2]);
    expect(joined.data).toMatchObject({ seq: 2, gap: true });
  });

  it('replays what is kept with gap: true for a since of another epoch, and resumes as usual with the current one', async () => {
    await publish('epochs', 4, 'e');
    const viewer = await Viewer.connect(server.ws);
    const { epoch } = (await viewer.join('epochs')).data;
    viewer.close();
    const resumeIn = async (data: object) => {
      const resumer = await Viewer.connect(server.ws);
      const joined = await resumer.request('JOIN', { room: 'epochs', ...data }, 'JOINED');
      resumer.close();
      return { joined: joined.data, seqs: resumer.itemsIn('epochs').map((i) => i.seq) };
    };
    expect(await resumeIn({ since: 2, epoch })).toEqual({ joined: { room: 'epochs', seq: 4, epoch, online: expect.any(Number) }, seqs: [3, 4] });
    // A seq of an earlier life of this room (the process restarted, or the room was forgotten) means nothing now.
    expect(await resumeIn({ since: 2, epoch: 'an-earlier-one' })).toEqual({ joined: { room: 'epochs', seq: 4, epoch, online: expect.any(Number), gap: true }, seqs: [1, 2, 3, 4] });
    expect(await resumeIn({ since: 2 })).toEqual({ joined: { room: 'epochs', seq: 4, epoch, online: expect.any(Number) }, seqs: [3, 4] });
  });

  it('refuses a negative or non-integer since, and an epoch that is not a string', async () => {
    const viewer = await Viewer.connect(server.ws);
    const badEpoch = await viewer.request('JOIN', { room: 'r', since: 1, epoch: 7 }, 'JOINED');
    expect(badEpoch.data).toMatchObject({ code: 'BAD_FRAME', ref: 'JOIN' });
    for (const since of [-1, 1.5, 'x']) {
      const error = await viewer.request('JOIN', { room: 'r', since }, 'JOINED');
      expect(error.data).toMatchObject({ code: 'BAD_FRAME', ref: 'JOIN' });
    }
    viewer.close();
  });
});

describe('resume while a batch is pending', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ BATCH_WINDOW_MS: '1500' });
  });
  afterAll(() => server.stop());

  it('delivers each item exactly once: sent ones by replay, pending ones live', async () => {
    const watcher = await Viewer.connect(server.ws);
    await watcher.join('pending');
    await postJson(server.http, '/rooms/pending/comments', { text: 'sent' });
    await watcher.next('PUSH');
    // The room is now batching: these wait for the window to close.
    await postJson(server.http, '/rooms/pending/comments/batch', { items: [{ text: 'p1' }, { text: 'p2' }] });

    const joiner = await Viewer.connect(server.ws);
    const joined = await joiner.join('pending', 0);
    expect(joined.data.seq).toBe(3);
    expect(joiner.itemsIn('pending').map((i) => i.text)).toEqual(['sent']);
    await joiner.next((f) => f.type === 'PUSH' && f.data.items[0].text === 'p1');
    expect(joiner.itemsIn('pending').map((i) => i.seq)).toEqual([1, 2, 3]);
    watcher.close();
    joiner.close();
  });
});

describe('resume across a reconnect (no batching window)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ BATCH_WINDOW_MS: '0' });
  });
  afterAll(() => server.stop());

  const publish = (room: string, count: number, prefix: string) => publishNumbered(server, room, count, prefix);

  it('loses nothing across a reconnect within history, then continues live', async () => {
    const first = await Viewer.connect(server.ws);
    await first.join('reconnect');
    await publish('reconnect', 2, 'before');
    await vi.waitFor(() => expect(first.itemsIn('reconnect')).toHaveLength(2));
    const lastSeen = first.itemsIn('reconnect').at(-1).seq;
    first.close();
    await first.closed;

    await publish('reconnect', 2, 'away');
    const second = await Viewer.connect(server.ws);
    const joined = await second.join('reconnect', lastSeen);
    expect(joined.data).toEqual({ room: 'reconnect', seq: 4, epoch: expect.any(String), online: 1 });
    await publish('reconnect', 1, 'live');
    await vi.waitFor(() => expect(second.itemsIn('reconnect').map((i) => i.text)).toContain('live0'));
    expect(second.itemsIn('reconnect').map((i) => i.text)).toEqual(['away0', 'away1', 'live0']);
    second.close();
  });
});
