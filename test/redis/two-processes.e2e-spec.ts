import { get, postForm, postJson, roomPath } from '../support/http.js';
import { type RunningServer, startServer } from '../support/server.js';
import { Viewer, eventually } from '../support/viewer.js';
import { SHARED_REDIS_URL, uniquePrefix } from './redis-support.js';

describe('two server processes sharing one Redis', () => {
  let a: RunningServer;
  let b: RunningServer;
  const viewers: Viewer[] = [];
  const connect = async (server: RunningServer) => {
    const viewer = await Viewer.connect(server.ws);
    viewers.push(viewer);
    return viewer;
  };

  const env = {
    REDIS_URL: SHARED_REDIS_URL,
    REDIS_PREFIX: uniquePrefix('two'),
    BATCH_WINDOW_MS: '1000',
    ONLINE_INTERVAL_MS: '200',
    HISTORY_SIZE: '50',
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    for (const viewer of viewers) viewer.close();
    await Promise.all([a.stop(), b.stop()]);
  });

  it('delivers what is published on B to a viewer on A, one frame per window, with the global seq', async () => {
    const viewer = await connect(a);
    expect((await viewer.join('across')).data).toMatchObject({ room: 'across', seq: 0 });
    const first = await postJson(b.http, roomPath('across') + '/comments', { text: 'lead' });
    expect(first.body.seq).toBe(1);
    expect((await viewer.next('PUSH')).data.items.map((i: any) => i.text)).toEqual(['lead']);
    // The room is batching now; this one goes out at the end of the current window, so
    // what follows has a whole window to arrive in.
    await postJson(a.http, roomPath('across') + '/comments', { text: 'sync' });
    expect((await viewer.next('PUSH')).data.items.map((i: any) => i.text)).toEqual(['sync']);

    // Ten publishes, half through each process, all inside the next window.
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => postJson(i % 2 ? a.http : b.http, roomPath('across') + '/comments', { text: `m${i}` })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(202));
    const seqs = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    expect(answers.map((answer) => answer.body.seq).sort((x, y) => x - y)).toEqual(seqs);

    const frame = await viewer.next('PUSH');
    expect(frame.data.items).toHaveLength(10);
    expect(frame.data.items.map((i: any) => i.seq)).toEqual(seqs);
    for (const answer of answers) expect(frame.data.items).toContainEqual(expect.objectContaining({ id: answer.body.id, seq: answer.body.seq }));
  });

  it('carries a batch publish as one message, with consecutive seqs and the items exactly as encoded', async () => {
    const viewer = await connect(b);
    await viewer.join('batch');
    const items = [{ text: '弹幕 "quoted" \\ back' }, { text: 'second', color: '#00ff00', mode: 'top', priority: true }, { text: 'third' }];
    const answer = await postJson(a.http, roomPath('batch') + '/comments/batch', { items });
    expect(answer.body).toEqual({ accepted: 3, firstSeq: 1, lastSeq: 3 });
    const frame = await viewer.next('PUSH');
    expect(frame.data.items).toEqual([
      { id: expect.any(String), seq: 1, room: 'batch', text: '弹幕 "quoted" \\ back', color: '#ffffff', mode: 'scroll', ts: expect.any(Number) },
      { id: expect.any(String), seq: 2, room: 'batch', text: 'second', color: '#00ff00', mode: 'top', ts: expect.any(Number) },
      { id: expect.any(String), seq: 3, room: 'batch', text: 'third', color: '#ffffff', mode: 'scroll', ts: expect.any(Number) },
    ]);
  });

  it('resumes on B after seeing items on A', async () => {
    const onA = await connect(a);
    await onA.join('resume');
    await postJson(a.http, roomPath('resume') + '/comments/batch', { items: [{ text: 'r1' }, { text: 'r2' }] });
    await vi.waitFor(() => expect(onA.itemsIn('resume').map((i) => i.seq)).toEqual([1, 2]));
    onA.close();

    await postJson(a.http, roomPath('resume') + '/comments/batch', { items: [{ text: 'r3' }, { text: 'r4' }, { text: 'r5' }] });
    const onB = await connect(b);
    const joined = await onB.join('resume', 2);
    expect(joined.data).toMatchObject({ room: 'resume', seq: 5 });
    expect(joined.data.gap).toBeUndefined();
    const replayed = onB.frames.slice(0, onB.frames.indexOf(joined)).filter((f) => f.type === 'PUSH');
    expect(replayed.flatMap((f) => f.data.items.map((i: any) => [i.seq, i.text]))).toEqual([
      [3, 'r3'],
      [4, 'r4'],
      [5, 'r5'],
    ]);
    // And live from there, whichever process publishes.
    await postJson(a.http, roomPath('resume') + '/comments', { text: 'r6' });
    await vi.waitFor(() => expect(onB.itemsIn('resume').map((i) => i.seq)).toEqual([3, 4, 5, 6]));
  });

  it('sums online counts over both processes in GET /rooms/:room, JOINED and ONLINE', async () => {
    const onA = [await connect(a), await connect(a)];
    for (const viewer of onA) await viewer.join('count');
    // Counts reach Redis at the latest one presence tick (ONLINE_INTERVAL_MS / 2) later.
    await eventually(async () => (await get(b.http, roomPath('count'))).body.online === 2);
    const onB = [await connect(b), await connect(b)];
    // B's first member makes B subscribe and learn A's two before JOINED.
    expect((await onB[0].join('count')).data.online).toBe(3);
    const joined = await onB[1].join('count');
    expect(joined.data.online).toBe(4);
    await eventually(async () => (await get(a.http, roomPath('count'))).body.online === 4);
    await eventually(async () => (await get(b.http, roomPath('count'))).body.online === 4);
    await onA[0].next((f) => f.type === 'ONLINE' && f.data.online === 4);

    onB[1].close();
    // The latest ONLINE (earlier ones may have said 3 on the way up to 4).
    const lastOnline = () => onA[0].frames.filter((f) => f.type === 'ONLINE').at(-1)?.data.online;
    await vi.waitFor(() => expect(lastOnline()).toBe(3));
    await eventually(async () => (await get(a.http, roomPath('count'))).body.online === 3);
    expect((await get(a.http, roomPath('count'))).body).toMatchObject({ room: 'count', online: 3 });
  });

  it('answers GET /rooms/:room with the count of a room that has members only in the other process', async () => {
    const viewer = await connect(b);
    await viewer.join('elsewhere');
    await eventually(async () => (await get(a.http, roomPath('elsewhere'))).body.online === 1);
    expect((await get(a.http, roomPath('elsewhere'))).body).toEqual({ room: 'elsewhere', online: 1, seq: 0 });
  });

  it('carries broadcasts and go-push items to every process', async () => {
    const onA = await connect(a);
    const onB = await connect(b);
    await onA.join('gp');
    const broadcast = await postJson(b.http, '/broadcast', { text: 'to everyone' });
    expect(broadcast.status).toBe(202);
    for (const viewer of [onA, onB]) {
      const frame = await viewer.next((f) => f.type === 'PUSH' && f.data.room === null);
      expect(frame.data.items).toEqual([expect.objectContaining({ id: broadcast.body.id, room: null, text: 'to everyone' })]);
    }
    const pushed = await postForm(b.http, '/push/room', { room: 'gp', items: '[{"raw":  1}, "two"]' });
    expect(pushed.status).toBe(200);
    const frame = await onA.next((f) => f.type === 'PUSH' && f.data.room === 'gp');
    expect(frame.data.items).toEqual([{ raw: 1 }, 'two']);
  });

  it('takes the members of a process that shuts down out of the counts at once, not at expiry', async () => {
    // A third process whose counts would live 30 s (3 × ONLINE_INTERVAL_MS / 2) unless taken out.
    const c = await startServer({ ...env, ONLINE_INTERVAL_MS: '20000' });
    try {
      await (await connect(c)).join('parting');
      // A has no member there: GET asks Redis for the total.
      expect((await get(a.http, roomPath('parting'))).body.online).toBe(1);
      expect(await c.stop()).toBe(0);
      expect((await get(a.http, roomPath('parting'))).body).toEqual({ room: 'parting', online: 0, seq: 0 });
    } finally {
      await c.stop();
    }
  });

  it('drops the counts of a process that died once they expire', async () => {
    const onA = await connect(a);
    await onA.join('mortal');
    for (let i = 0; i < 2; i++) await (await connect(b)).join('mortal');
    await eventually(async () => (await get(a.http, roomPath('mortal'))).body.online === 3);
    // Last test of the group: B dies without a chance to take its counts out.
    await b.stop('SIGKILL');
    const lastOnline = () => onA.frames.filter((f) => f.type === 'ONLINE').at(-1)?.data.online;
    await vi.waitFor(() => expect(lastOnline()).toBe(3));
    // Within the counts' expiry (3 s here), B's two vanish.
    await vi.waitFor(() => expect(lastOnline()).toBe(1), { timeout: 10_000, interval: 50 });
    expect((await get(a.http, roomPath('mortal'))).body.online).toBe(1);
  });
});
