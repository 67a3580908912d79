import { type Answer, get, postForm, postJson } from './support/http.js';
import { type RunningServer, startServer } from './support/server.js';
import { eventually, type Frame, Viewer } from './support/viewer.js';

const TOKEN = 'storm-admin';
const ROOM = 'storm';
/** Large batches, so that one wave of them keeps the event loop busy past the small budget below. */
const BATCH_SIZE = 600;
const BATCHES_PER_WAVE = 6;
const COMMENTS_PER_WAVE = 30;
const MAX_WAVES = 40;
const NEST_POSTS_PER_WAVE = 3;
/** Refusals of a connection's own rate limit within 10 s that close it with 1008. */
const ABUSE_REFUSALS = 20;

/** One publish of the storm and what became of it. */
interface Sent {
  priority: boolean;
  /** The texts it carried: unique, so a delivered item names its publish. */
  texts: string[];
  accepted: boolean;
  /** The seqs it was given, when accepted. */
  seqs: number[];
}

/**
 * PROTOCOL.md section 7 with a real storm: a server told to refuse past a 10 ms wait
 * (and priority comments only past a minute's), then waves of large batch POSTs, single
 * POSTs through both routes, priority POSTs and COMMENTs. What it asserts is behaviour,
 * never timing: which answers came, what was delivered, what was counted.
 */
describe('overload', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      ADMIN_TOKEN: TOKEN,
      OVERLOAD_DELAY_MS: '10',
      OVERLOAD_PRIORITY_DELAY_MS: '60000',
      BATCH_WINDOW_MS: '50',
      BATCH_MAX_ITEMS: '10000',
      // Only overload may refuse here: no per-connection limit, no frame skipped for the test's slow reading.
      COMMENT_RATE: '10000',
      COMMENT_BURST: '10000',
      SLOW_CONSUMER_BYTES: String(256 * 1024 * 1024),
    });
  });
  afterAll(() => server.stop());

  it('refuses the excess at once, delivers what it accepts, keeps priority comments, health, PING and JOIN, and counts it all', async () => {
    const watcher = await Viewer.connect(server.ws);
    await watcher.join(ROOM);
    const commenter = await Viewer.connect(server.ws);
    await commenter.join(ROOM);

    const sent: Sent[] = [];
    let ordinaryRefusedRest = 0;
    let priorityRefusedRest = 0;
    let nestRefusals = 0;
    let wavesWithBoth = 0;
    const refusedAnswers: Answer[] = [];

    const post = async (
      path: string,
      body: unknown,
      priority: boolean,
      texts: string[],
      seqsOf: (answer: Answer) => number[],
      form = false,
    ) => {
      const answer = form
        ? await postForm(server.http, path, body as Record<string, string>, TOKEN)
        : await postJson(server.http, path, body, TOKEN);
      const entry: Sent = { priority, texts, accepted: answer.status === (form ? 200 : 202), seqs: [] };
      if (entry.accepted) {
        entry.seqs = seqsOf(answer);
      } else {
        expect(answer.status).toBe(429);
        refusedAnswers.push(answer);
        if (priority) priorityRefusedRest++;
        else ordinaryRefusedRest++;
        if (path.includes('?')) nestRefusals++;
      }
      sent.push(entry);
      return entry;
    };
    const noSeqs = () => [];
    const batchSeqs = (answer: Answer) =>
      Array.from({ length: answer.body.lastSeq - answer.body.firstSeq + 1 }, (_, i) => answer.body.firstSeq + i);

    let cid = 0;
    const comments: { cid: string; text: string }[] = [];

    const wave = async (n: number) => {
      const ordinary: Promise<Sent>[] = [];
      for (let b = 0; b < BATCHES_PER_WAVE; b++) {
        const texts = Array.from({ length: BATCH_SIZE }, (_, i) => `w${n}-b${b}-${i}`);
        ordinary.push(post(`/rooms/${ROOM}/comments/batch`, { items: texts.map((text) => ({ text })) }, false, texts, batchSeqs));
      }
      // A query string sends them through the Nest route (CommentsController and AdmissionGuard).
      for (let k = 0; k < NEST_POSTS_PER_WAVE; k++) {
        const text = `w${n}-nest${k}`;
        ordinary.push(post(`/rooms/${ROOM}/comments?via=nest`, { text }, false, [text], (a) => [a.body.seq]));
      }
      // One ordinary item among priority ones makes the whole batch ordinary.
      const mixed = [`w${n}-mixed-p`, `w${n}-mixed-o`];
      ordinary.push(
        post(`/rooms/${ROOM}/comments/batch`, { items: [{ text: mixed[0], priority: true }, { text: mixed[1] }] }, false, mixed, batchSeqs),
      );
      // go-push's route: its items carry no priority of ours, so they are ordinary.
      const goPush = `w${n}-gp`;
      ordinary.push(post('/push/room', { room: ROOM, items: JSON.stringify([{ text: goPush }]) }, false, [goPush], noSeqs, true));
      // A message to one user (no one is connected as "nobody": nothing to deliver, only the answer to check).
      ordinary.push(post('/users/nobody/messages', { text: `w${n}-um` }, false, [], noSeqs));
      const priority = [
        // Broadcasts are priority.
        post('/broadcast', { text: `w${n}-bc` }, true, [`w${n}-bc`], noSeqs),
        post('/users/nobody/messages', { text: `w${n}-pum`, priority: true }, true, [], noSeqs),
        post(`/rooms/${ROOM}/comments`, { text: `w${n}-p`, priority: true }, true, [`w${n}-p`], (a) => [a.body.seq]),
        post(
          `/rooms/${ROOM}/comments/batch`,
          { items: [{ text: `w${n}-pb0`, priority: true }, { text: `w${n}-pb1`, priority: true }] },
          true,
          [`w${n}-pb0`, `w${n}-pb1`],
          batchSeqs,
        ),
      ];
      for (let c = 0; c < COMMENTS_PER_WAVE; c++) {
        const comment = { cid: String(++cid), text: `w${n}-ws${c}` };
        comments.push(comment);
        commenter.send('COMMENT', { room: ROOM, ...comment });
      }
      const [ordinaryDone, priorityDone] = await Promise.all([Promise.all(ordinary), Promise.all(priority)]);
      if (ordinaryDone.some((entry) => !entry.accepted) && priorityDone.every((entry) => entry.accepted)) wavesWithBoth++;
    };

    // The storm runs until the checks below have been made in the middle of it, the Nest
    // route has been refused, and so has the socket, more often than would close an abuser.
    let checked = false;
    // More COMMENT refusals than the 20 that close an abusive client with 1008.
    const refusedOverSocket = () => commenter.frames.filter((frame) => frame.type === 'ERROR').length > ABUSE_REFUSALS;
    const stormOver = () => checked && nestRefusals > 0 && refusedOverSocket();
    let waves = 0;
    let stormEnded = false;
    const storm = (async () => {
      while (!stormOver() && waves < MAX_WAVES) await wave(waves++);
    })().finally(() => (stormEnded = true));
    // Its failure is reported where it is awaited, below.
    storm.catch(() => undefined);

    // During the storm, once refusing: health, PING and JOIN are answered.
    await eventually(() => ordinaryRefusedRest > 0 || stormEnded, 60_000);
    if (stormEnded) await storm;
    expect(ordinaryRefusedRest).toBeGreaterThan(0);
    const health = await get(server.http, '/healthz');
    expect(health.status).toBe(200);
    expect(await watcher.request('PING', {}, 'PONG')).toEqual({ type: 'PONG', data: {} });
    const newcomer = await Viewer.connect(server.ws);
    expect((await newcomer.join(ROOM)).type).toBe('JOINED');
    checked = true;
    await storm;
    expect(nestRefusals).toBeGreaterThan(0);

    // Every COMMENT answered, with an ACK or the overload refusal.
    const answerOf = (c: string) => (frame: Frame) => (frame.type === 'ACK' || frame.type === 'ERROR') && frame.data.cid === c;
    const answers = await Promise.all(comments.map((comment) => commenter.next(answerOf(comment.cid), 30_000)));
    const refusedComments = answers.filter((frame) => frame.type === 'ERROR');
    expect(refusedComments.length).toBeGreaterThan(ABUSE_REFUSALS);
    for (const refusal of refusedComments) {
      expect(refusal.data).toMatchObject({ code: 'RATE_LIMITED', ref: 'COMMENT', retryAfter: 1, message: expect.stringContaining('overloaded') });
    }
    for (const [i, frame] of answers.entries()) {
      sent.push({
        priority: false,
        texts: [comments[i].text],
        accepted: frame.type === 'ACK',
        seqs: frame.type === 'ACK' ? [frame.data.seq] : [],
      });
    }
    // Overload refusals never count toward the 1008 close for abusive clients.
    expect(await commenter.request('PING', {}, 'PONG')).toEqual({ type: 'PONG', data: {} });

    // The refusals: 429, Retry-After in whole seconds, Nest's error body, from both routes.
    for (const answer of refusedAnswers) {
      expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(answer.body).toEqual({ statusCode: 429, message: expect.stringContaining('overloaded'), error: 'Too Many Requests' });
    }
    // Priority comments are refused last: with their threshold out of reach, never, even in waves whose ordinary ones were.
    expect(priorityRefusedRest).toBe(0);
    expect(wavesWithBoth).toBeGreaterThan(0);

    // Delivered or refused, every one: what was accepted reached the room (unless thinned,
    // and counted so), nothing refused did.
    const stats = (await get(server.http, '/stats')).body;
    const acceptedSeqs = sent.filter((entry) => entry.accepted).flatMap((entry) => entry.seqs);
    const refusedTexts = new Set(sent.filter((entry) => !entry.accepted).flatMap((entry) => entry.texts));
    await vi.waitFor(
      async () => {
        const delivered = new Set(watcher.itemsIn(ROOM).map((item) => item.seq));
        const thinned = (await get(server.http, '/stats')).body.thinned;
        expect(acceptedSeqs.filter((seq) => !delivered.has(seq)).length).toBe(thinned);
      },
      { timeout: 30_000, interval: 100 },
    );
    const items = watcher.itemsIn(ROOM);
    expect(items.filter((item) => refusedTexts.has(item.text))).toEqual([]);
    // Broadcasts and go-push items have no seq: found by their texts (priority comments too).
    const byText = sent.filter((entry) => entry.accepted && (entry.priority || entry.seqs.length === 0)).flatMap((entry) => entry.texts);
    await vi.waitFor(() => {
      const delivered = new Set([...watcher.itemsIn(ROOM), ...watcher.itemsIn(null)].map((item) => item.text));
      expect(byText.filter((text) => !delivered.has(text))).toEqual([]);
    });
    expect(watcher.itemsIn(null).filter((item) => refusedTexts.has(item.text))).toEqual([]);

    // Counted as the test counted them, in /stats and /metrics.
    expect(stats).toMatchObject({
      overloadRefusedRest: ordinaryRefusedRest,
      overloadRefusedRestPriority: 0,
      overloadRefusedWs: refusedComments.length,
    });
    const metrics = (await get(server.http, '/metrics')).text;
    const counter = (path: string, priority: string) =>
      Number(new RegExp(`^danmaku_overload_refusals_total\\{path="${path}",priority="${priority}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    expect(counter('rest', 'false')).toBe(ordinaryRefusedRest);
    expect(counter('rest', 'true')).toBe(0);
    expect(counter('ws', 'false')).toBe(refusedComments.length);
    expect(metrics).toMatch(/^danmaku_overload_level \d$/m);

    // After the storm, publishes are accepted again.
    const after = await eventually(async () => {
      const answer = await postJson(server.http, `/rooms/${ROOM}/comments`, { text: 'after the storm' }, TOKEN);
      return answer.status === 202 ? answer : undefined;
    }, 15_000);
    await vi.waitFor(() => expect(watcher.itemsIn(ROOM).some((item) => item.id === after!.body.id)).toBe(true));

    watcher.close();
    commenter.close();
    newcomer.close();
  }, 120_000);
});
