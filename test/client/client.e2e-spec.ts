import { SignJWT } from 'jose';
import { DanmakuClient, DanmakuError } from '../../packages/client/src/index.js';
import { get, postJson } from '../support/http.js';
import { type RunningServer, startServer } from '../support/server.js';
import { FutureRelay, WatchedClient } from './client-harness.js';

const FAST = { BATCH_WINDOW_MS: '20', ONLINE_INTERVAL_MS: '100' };

const publish = async (server: RunningServer, room: string, ...texts: string[]) => {
  const answer = await postJson(server.http, `/rooms/${encodeURIComponent(room)}/comments/batch`, { items: texts.map((text) => ({ text })) });
  expect(answer.status).toBe(202);
};

/** Fails the spec if a DanmakuClient's promise does not reject as it should. */
async function rejection(promise: Promise<unknown>): Promise<DanmakuError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DanmakuError);
  return error as DanmakuError;
}

// The viewer client package (packages/client) against the real built server, over `ws`.
describe('@danmaku-nest/client', () => {
  describe('rooms, items and comments', () => {
    let server: RunningServer;
    const clients: WatchedClient[] = [];
    const watch = (options: ConstructorParameters<typeof WatchedClient>[0]) => {
      const watched = new WatchedClient(options);
      clients.push(watched);
      return watched;
    };
    beforeAll(async () => {
      server = await startServer(FAST);
    });
    afterAll(async () => {
      for (const watched of clients) watched.close();
      await server?.stop();
    });

    it('joins several rooms and reports each PUSH item once per item and once per frame, with JOINED and ONLINE', async () => {
      const viewer = watch({ url: server.ws, rooms: ['one', 'two', '三'] });
      viewer.client.connect();
      await viewer.reach('live');
      expect(viewer.joined.map((j) => [j.room, j.online, j.resumed, j.gap])).toEqual([
        ['one', 1, false, false],
        ['two', 1, false, false],
        ['三', 1, false, false],
      ]);
      expect(viewer.sent.filter((f) => f.type === 'JOIN').map((f) => f.data)).toEqual([{ room: 'one' }, { room: 'two' }, { room: '三' }]);

      await publish(server, 'one', 'a1', 'a2', 'a3');
      await publish(server, 'two', 'b1');
      await publish(server, '三', 'c1', 'c2');
      await vi.waitFor(() => expect(viewer.items.length).toBe(6));
      expect(viewer.texts('one')).toEqual(['a1', 'a2', 'a3']);
      expect(viewer.texts('two')).toEqual(['b1']);
      expect(viewer.texts('三')).toEqual(['c1', 'c2']);
      expect(viewer.items.every((i) => i.context.replay === false)).toBe(true);
      // The per-frame callback saw the same items, grouped as the server sent them.
      expect(viewer.pushes.flatMap((p) => p.items)).toEqual(viewer.items.map((i) => i.item));
      for (const push of viewer.pushes) expect(push.items.every((item: any) => item.room === push.room)).toBe(true);
      expect(viewer.client.roomStatus()).toEqual([
        { room: 'one', lastSeq: 3, epoch: expect.any(String), joined: true },
        { room: 'two', lastSeq: 1, epoch: expect.any(String), joined: true },
        { room: '三', lastSeq: 2, epoch: expect.any(String), joined: true },
      ]);

      // A second viewer in room one: the first hears of it through ONLINE.
      const online: { room: string; online: number }[] = [];
      viewer.client.on('online', (o) => online.push(o));
      const other = watch({ url: server.ws, rooms: ['one'] });
      other.client.connect();
      await other.reach('live');
      await vi.waitFor(() => expect(online).toContainEqual({ room: 'one', online: 2 }));

      // A broadcast reaches every connection with room null.
      expect((await postJson(server.http, '/broadcast', { text: 'to everyone' })).status).toBe(202);
      await vi.waitFor(() => expect(viewer.texts(null)).toEqual(['to everyone']));
      expect(viewer.pushes.at(-1)).toMatchObject({ room: null, replay: false, items: [{ text: 'to everyone', room: null }] });
    });

    it('turns COMMENT into a promise of its ACK, or a rejection with the ERROR', async () => {
      const viewer = watch({ url: server.ws, rooms: ['talk'] });
      expect((await rejection(viewer.client.comment('talk', 'too early'))).code).toBe('NOT_CONNECTED');
      viewer.client.connect();
      await viewer.reach('live');

      const ack = await viewer.client.comment('talk', { text: 'hello there', color: '#ffcc00', mode: 'top', cid: 'mine-1' });
      expect(ack).toMatchObject({ cid: 'mine-1', seq: 1 });
      expect(typeof ack.id).toBe('string');
      await vi.waitFor(() => expect(viewer.texts('talk')).toEqual(['hello there']));
      expect(viewer.items[0].item).toMatchObject({ id: ack.id, seq: 1, color: '#ffcc00', mode: 'top' });

      const tooLong = await rejection(viewer.client.comment('talk', 'x'.repeat(201)));
      expect(tooLong).toMatchObject({ code: 'BAD_COMMENT', ref: 'COMMENT' });
      expect(tooLong.cid).toMatch(/./);
      expect((await rejection(viewer.client.comment('elsewhere', 'not joined there'))).code).toBe('NOT_JOINED');
      // Comments answered in any order each get their own answer.
      const [first, second] = await Promise.all([viewer.client.comment('talk', 'two'), viewer.client.comment('talk', 'three')]);
      expect([first.seq, second.seq].sort()).toEqual([2, 3]);
      expect(viewer.errors).toEqual([]);
    });

    it('joins and leaves rooms while live; a JOIN the server refuses is reported and dropped, the others stay', async () => {
      const viewer = watch({ url: server.ws, rooms: ['stay'] });
      const refused: { room: string; error: DanmakuError }[] = [];
      viewer.client.on('refused', (r) => refused.push(r));
      viewer.client.connect();
      await viewer.reach('live');

      const joined = await viewer.client.join('later');
      expect(joined).toMatchObject({ room: 'later', seq: 0, resumed: false });
      expect(viewer.client.isJoined('later')).toBe(true);

      const badRoom = 'x'.repeat(65);
      expect((await rejection(viewer.client.join(badRoom))).code).toBe('BAD_ROOM');
      expect(refused.map((r) => [r.room, r.error.code])).toEqual([[badRoom, 'BAD_ROOM']]);
      expect(viewer.client.roomStatus().map((r) => r.room)).toEqual(['stay', 'later']);

      viewer.client.leave('later');
      await vi.waitFor(() => expect(viewer.frames).toContainEqual({ type: 'LEFT', data: { room: 'later' } }));
      expect((await get(server.http, '/rooms/later')).body.online).toBe(0);
      expect(viewer.client.isJoined('later')).toBe(false);

      // Left while its JOIN is in flight: the JOINED that still comes is followed by a LEAVE.
      const brief = viewer.client.join('brief');
      viewer.client.leave('brief');
      expect((await rejection(brief)).code).toBe('CLOSED');
      await vi.waitFor(() => expect(viewer.frames).toContainEqual({ type: 'LEFT', data: { room: 'brief' } }));
      expect(viewer.sent.filter((f) => f.data?.room === 'brief').map((f) => f.type)).toEqual(['JOIN', 'LEAVE']);

      await publish(server, 'stay', 'still here');
      await vi.waitFor(() => expect(viewer.texts('stay')).toEqual(['still here']));
      expect(viewer.client.state).toEqual({ name: 'live' });
    });

    it('ignores frame types and fields it does not know', async () => {
      const relay = await FutureRelay.start(server.ws);
      try {
        const viewer = watch({ url: relay.url, rooms: ['future'] });
        viewer.client.connect();
        await viewer.reach('live');
        await publish(server, 'future', 'still works');
        await vi.waitFor(() => expect(viewer.texts('future')).toEqual(['still works']));
        expect(viewer.client.state).toEqual({ name: 'live' });
        expect(viewer.frames.map((f) => f.type)).toEqual(expect.arrayContaining(['SOMETHING_NEW', 'NO_DATA_AT_ALL']));
        expect(viewer.items.find((i) => i.context.to === 'alice')).toMatchObject({
          item: { text: 'just for you', room: null },
          context: { room: null, to: 'alice', replay: false },
        });
        expect(viewer.joined).toHaveLength(1);
        expect(viewer.joined[0]).toMatchObject({ room: 'future', shiny: true });
        expect(viewer.closed).toEqual([]);
        expect(viewer.errors).toEqual([]);
        expect(await viewer.client.comment('future', 'and comments too')).toMatchObject({ seq: 2 });
        // Every PUSH came twice through the relay; each item was reported once.
        await vi.waitFor(() => expect(viewer.texts('future')).toEqual(['still works', 'and comments too']));
        await publish(server, 'future', 'last one');
        await vi.waitFor(() => expect(viewer.texts('future')).toEqual(['still works', 'and comments too', 'last one']));
        expect(viewer.pushes.filter((p) => p.room === 'future')).toHaveLength(3);
      } finally {
        await relay.stop();
      }
    });

    it("remembers each room's epoch from JOINED, sends it with since, and takes a new epoch as lost history", async () => {
      const relay = await FutureRelay.start(server.ws);
      const viewer = watch({ url: relay.url, rooms: ['epochs'], backoff: { baseMs: 10, capMs: 50 } });
      try {
        viewer.client.connect();
        await viewer.reach('live');
        await publish(server, 'epochs', 'e1', 'e2');
        await vi.waitFor(() => expect(viewer.texts('epochs')).toEqual(['e1', 'e2']));
        expect(viewer.client.roomStatus()).toEqual([{ room: 'epochs', lastSeq: 2, epoch: 'epoch-1', joined: true }]);

        relay.drop();
        await vi.waitFor(() => expect(viewer.joined).toHaveLength(2));
        expect(viewer.sent.filter((f) => f.type === 'JOIN').map((f) => f.data)).toEqual([
          { room: 'epochs' },
          { room: 'epochs', since: 2, epoch: 'epoch-1' },
        ]);
        expect(viewer.joined[1]).toMatchObject({ resumed: true, historyLost: false, epoch: 'epoch-1' });

        // Same seq, other epoch: the seqs no longer name the same comments.
        relay.epoch = 'epoch-2';
        relay.drop();
        await vi.waitFor(() => expect(viewer.joined).toHaveLength(3));
        expect(viewer.joined[2]).toMatchObject({ seq: 2, resumed: true, historyLost: true, epoch: 'epoch-2' });
        expect(viewer.client.roomStatus()[0]).toMatchObject({ lastSeq: 2, epoch: 'epoch-2' });
        expect(viewer.texts('epochs')).toEqual(['e1', 'e2']);
      } finally {
        viewer.close();
        await relay.stop();
      }
    });

    it('needs a WebSocket where there is no global one', () => {
      const noGlobal = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined';
      const client = new DanmakuClient({ url: server.ws });
      if (noGlobal) expect(() => client.connect()).toThrow(/pass one as the WebSocket option/);
      else expect(() => client.connect()).not.toThrow();
      client.close();
      expect(client.state).toEqual({ name: 'closed' });
    });
  });

  describe('a link that goes silent (the server process stopped with SIGSTOP)', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer(FAST);
    });
    afterAll(async () => {
      server?.process.kill('SIGCONT');
      await server?.stop();
    });

    it('notices the unanswered PING, reconnects once the server answers again, and resumes', async () => {
      const viewer = new WatchedClient({
        url: server.ws,
        rooms: ['quiet'],
        pingIntervalMs: 200,
        pongTimeoutMs: 400,
        connectTimeoutMs: 1000,
        backoff: { baseMs: 100, capMs: 400 },
      });
      try {
        viewer.client.connect();
        await viewer.reach('live');
        await publish(server, 'quiet', 'before');
        await vi.waitFor(() => expect(viewer.texts('quiet')).toEqual(['before']));

        server.process.kill('SIGSTOP');
        await vi.waitFor(() => expect(viewer.closed).toContainEqual({ code: 1006, reason: 'no answer to PING' }), { timeout: 10_000 });
        // While the process is stopped, an upgrade is never answered: those attempts time out.
        await vi.waitFor(() => expect(viewer.closed).toContainEqual({ code: 1006, reason: 'no answer to the upgrade' }), { timeout: 10_000 });
        server.process.kill('SIGCONT');
        await viewer.reach('live', 15_000);
        expect(viewer.joined.at(-1)).toMatchObject({ room: 'quiet', resumed: true, gap: false, historyLost: false });
        // The epoch of the first JOINED comes back with since: the same history, so no gap.
        const [first, last] = [viewer.sent.find((f) => f.type === 'JOIN')?.data, viewer.sent.filter((f) => f.type === 'JOIN').at(-1)?.data];
        expect(first).toEqual({ room: 'quiet' });
        expect(last).toEqual({ room: 'quiet', since: 1, epoch: expect.any(String) });

        await publish(server, 'quiet', 'after');
        await vi.waitFor(() => expect(viewer.texts('quiet')).toEqual(['before', 'after']));
      } finally {
        viewer.close();
      }
    }, 40_000);
  });

  describe('refusals that must not be retried', () => {
    it('after a 1008 close (20 refused comments) stops, with no new connection', async () => {
      const server = await startServer({ ...FAST, COMMENT_RATE: '1', COMMENT_BURST: '1' });
      const viewer = new WatchedClient({ url: server.ws, rooms: ['flood'], backoff: { baseMs: 10, capMs: 20 } });
      try {
        viewer.client.connect();
        await viewer.reach('live');
        const answers = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => viewer.client.comment('flood', `spam ${i}`)));
        const codes = answers.map((a) => (a.status === 'fulfilled' ? 'ACK' : (a.reason as DanmakuError).code));
        expect(codes[0]).toBe('ACK');
        expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(20);
        expect(new Set(codes.slice(21))).toEqual(new Set(['CONNECTION_LOST']));
        await viewer.reach('stopped');
        expect(viewer.client.state).toEqual({ name: 'stopped', reason: 'policy', code: 1008 });
        expect(viewer.closed).toEqual([{ code: 1008, reason: 'RATE_LIMITED' }]);
        expect(viewer.sockets).toBe(1);
        expect((await rejection(viewer.client.comment('flood', 'anyone?'))).code).toBe('NOT_CONNECTED');
        expect(viewer.states.map((s) => s.name)).toEqual(['connecting', 'live', 'stopped']);
      } finally {
        viewer.close();
        await server.stop();
      }
    });

    describe('with VIEWER_TOKEN_SECRET set', () => {
      const SECRET = 'client-test-secret';
      let server: RunningServer;
      beforeAll(async () => {
        server = await startServer({ ...FAST, VIEWER_TOKEN_SECRET: SECRET });
      });
      afterAll(() => server?.stop());

      it('a refused upgrade (HTTP 401) stops at once', async () => {
        const viewer = new WatchedClient({ url: server.ws, rooms: ['members'], backoff: { baseMs: 10, capMs: 20 } });
        try {
          viewer.client.connect();
          expect(await viewer.reach('stopped')).toEqual({ name: 'stopped', reason: 'unauthorized', code: 401 });
          expect(viewer.sockets).toBe(1);
          expect(viewer.states.map((s) => s.name)).toEqual(['connecting', 'stopped']);
        } finally {
          viewer.close();
        }
      });

      it('with a token: connects with ?token=, and its comments carry the user', async () => {
        const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
        const viewer = new WatchedClient({ url: server.ws, token, rooms: ['members'] });
        try {
          viewer.client.connect();
          await viewer.reach('live');
          const ack = await viewer.client.comment('members', 'hi, I am alice');
          await vi.waitFor(() => expect(viewer.items.map((i) => i.item)).toContainEqual(expect.objectContaining({ id: ack.id, user: 'alice' })));
        } finally {
          viewer.close();
        }
      });
    });
  });
});
