import { validateConfig } from '../config/validate-config.js';
import type { CommentDraft } from '../protocol/comment.js';
import type { Delivery } from './broker.js';
import { GapFiller } from './gap-filler.js';
import { MemoryBroker } from './memory-broker.js';

const ROOM = 'r';

/**
 * A GapFiller fed from a real MemoryBroker: the broker's deliveries are the live items
 * (the test decides which of them get through), its replay is the history the filler
 * reads, and replacing it is a history lost. Reads wait for `release()`.
 */
class Harness {
  broker: MemoryBroker;
  readonly delivered: Delivery[] = [];
  readonly reads: { since: number; epoch: string | undefined }[] = [];
  /** Live items the broker delivered; the test hands them to the filler (or not). */
  live: Delivery[] = [];
  up = true;
  private gates: { open: () => void; fail: (error: Error) => void }[] = [];
  readonly filler: GapFiller;

  constructor(
    private readonly historySize = 1000,
    maxHeld?: number,
  ) {
    this.broker = this.newBroker();
    this.filler = new GapFiller({
      read: async (room, since, epoch) => {
        this.reads.push({ since, epoch });
        await new Promise<void>((open, fail) => this.gates.push({ open, fail }));
        return this.broker.replay(room, since, epoch);
      },
      deliver: (delivery) => this.delivered.push(delivery),
      isUp: () => this.up,
      maxHeld,
    });
    this.filler.follow(ROOM);
  }

  /** The room's history is lost: a new broker (new epoch, seqs from 1). */
  loseHistory(): void {
    this.broker.onApplicationShutdown();
    this.broker = this.newBroker();
  }

  async publish(count: number): Promise<Delivery[]> {
    const drafts: CommentDraft[] = Array.from({ length: count }, (_, i) => ({
      id: `i${i}`,
      room: ROOM,
      text: 't',
      color: '#ffffff',
      mode: 'scroll',
      ts: 0,
      priority: false,
    }));
    this.live = [];
    await this.broker.publish(ROOM, drafts);
    return this.live;
  }

  /** Publishes and hands every item to the filler live. */
  async publishLive(count: number): Promise<void> {
    for (const delivery of await this.publish(count)) this.filler.take(delivery);
  }

  /** Lets the oldest waiting read answer (or fail), and waits for its answer to be taken in. */
  async release(error?: Error): Promise<void> {
    const gate = this.gates.shift();
    if (!gate) throw new Error('no read is waiting');
    if (error) gate.fail(error);
    else gate.open();
    await vi.waitFor(() => expect(this.filler.filling === 0 || error !== undefined).toBe(true));
    await new Promise((resolve) => setImmediate(resolve));
  }

  get seqs(): number[] {
    return this.delivered.map((delivery) => delivery.seq!);
  }

  stop(): void {
    this.broker.onApplicationShutdown();
  }

  private newBroker(): MemoryBroker {
    const broker = new MemoryBroker(validateConfig({ HISTORY_SIZE: String(this.historySize) }));
    broker.deliveries$.subscribe((delivery) => this.live.push(delivery));
    return broker;
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('GapFiller', () => {
  let h: Harness;
  afterEach(() => h.stop());

  it('hands items in order straight on, reading nothing', async () => {
    h = new Harness();
    await h.publishLive(5);
    expect(h.seqs).toEqual(range(1, 5));
    expect(h.reads).toEqual([]);
  });

  it('fills a jump from the history, holding the live items that arrive meanwhile, each once and in order', async () => {
    h = new Harness();
    await h.publishLive(2);
    const epoch = (await h.broker.head(ROOM)).epoch;
    await h.publish(2); // 3 and 4 are lost on the way
    const [five] = await h.publish(1);
    h.filler.take(five);
    expect(h.reads).toEqual([{ since: 2, epoch: undefined }]);
    // While the fill is in flight: 6 arrives live, and another jump starts no second read.
    await h.publishLive(1);
    const [eight] = (await h.publish(2)).slice(1);
    h.filler.take(eight);
    expect(h.reads).toHaveLength(1);
    expect(h.seqs).toEqual([1, 2]);
    await h.release();
    expect(h.seqs).toEqual(range(1, 8));
    // Live copies of what the fill read, still on their way, are dropped.
    h.filler.take(eight);
    await h.publishLive(1);
    expect(h.seqs).toEqual(range(1, 9));
    expect(h.reads).toHaveLength(1);
    expect(epoch).toEqual(expect.any(String));
  });

  it('fills everything published while the subscription was down when it comes back (fillAll)', async () => {
    h = new Harness();
    await h.publishLive(3);
    await h.publish(4); // never arrives: the subscription is down
    h.filler.fillAll();
    await h.publishLive(2); // subscribed again: these arrive during the fill
    await h.release();
    expect(h.seqs).toEqual(range(1, 9));
    await h.publishLive(1);
    expect(h.seqs).toEqual(range(1, 10));
  });

  it('delivers what the history still keeps when it does not cover the gap: the jump stays visible', async () => {
    h = new Harness(3);
    await h.publishLive(2);
    await h.publish(10); // 3..12, of which the history keeps 10..12
    h.filler.fillAll();
    await h.release();
    expect(h.seqs).toEqual([1, 2, 10, 11, 12]);
  });

  it('takes a seq that went back (a history lost and begun again) as a new stream, so live delivery goes on', async () => {
    h = new Harness();
    await h.publishLive(1);
    h.filler.observe(ROOM, 1, (await h.broker.head(ROOM)).epoch);
    await h.publishLive(149);
    h.loseHistory();
    const fresh = await h.publish(3);
    h.filler.take(fresh[0]);
    await h.release();
    expect(h.reads).toEqual([{ since: 150, epoch: expect.any(String) }]);
    expect(h.seqs).toEqual([...range(1, 150), 1, 2, 3]);
    h.filler.take(fresh[1]);
    h.filler.take(fresh[2]);
    await h.publishLive(1);
    expect(h.seqs).toEqual([...range(1, 150), 1, 2, 3, 4]);
  });

  it('fills when a read sees another epoch, even without a live item', async () => {
    h = new Harness();
    await h.publishLive(5);
    h.filler.observe(ROOM, 5, (await h.broker.head(ROOM)).epoch);
    h.loseHistory();
    await h.publish(2); // missed
    const head = await h.broker.head(ROOM);
    h.filler.observe(ROOM, head.seq, head.epoch);
    await h.release();
    expect(h.seqs).toEqual([...range(1, 5), 1, 2]);
  });

  it('counts from the first read of a room: items up to its seq still on their way are dropped', async () => {
    h = new Harness();
    const early = await h.publish(2);
    h.filler.observe(ROOM, 2, (await h.broker.head(ROOM)).epoch);
    for (const delivery of early) h.filler.take(delivery);
    await h.publishLive(1);
    expect(h.seqs).toEqual([3]);
    expect(h.reads).toEqual([]);
  });

  it('trims a joiner’s replay at what is delivered (a fill or the live items bring it the rest)', async () => {
    h = new Harness();
    const first = await h.publish(2);
    expect(h.filler.trim(ROOM, await h.broker.replay(ROOM, 0)).items).toHaveLength(2);
    for (const delivery of first) h.filler.take(delivery);
    h.filler.observe(ROOM, 2, (await h.broker.head(ROOM)).epoch);
    const inFlight = await h.publish(1);
    expect(h.filler.trim(ROOM, await h.broker.replay(ROOM, 0)).items).toHaveLength(2);
    h.filler.take(inFlight[0]);
    expect(h.filler.trim(ROOM, await h.broker.replay(ROOM, 0)).items).toHaveLength(3);
    await h.publish(3);
    h.filler.fillAll();
    expect(h.filler.trim(ROOM, await h.broker.replay(ROOM, 0)).items).toHaveLength(3);
    await h.release();
    expect(h.filler.trim(ROOM, await h.broker.replay(ROOM, 0)).items).toHaveLength(6);
    // A replay of another history is not this stream's to trim.
    expect(h.filler.trim(ROOM, { ...(await h.broker.replay(ROOM, 0)), epoch: 'other' }).items).toHaveLength(6);
  });

  it('keeps holding through a failed fill while the broker is down, and fills when it is back', async () => {
    h = new Harness();
    await h.publishLive(1);
    const lost = await h.publish(2);
    h.filler.take(lost[1]);
    h.up = false;
    await h.release(new Error('down'));
    expect(h.seqs).toEqual([1]);
    h.up = true;
    h.filler.fillAll();
    await h.release();
    expect(h.seqs).toEqual([1, 2, 3]);
  });

  it('gives up a failed fill while the broker is up: what is held goes on, the jump stays visible', async () => {
    h = new Harness();
    await h.publishLive(1);
    const lost = await h.publish(3);
    h.filler.take(lost[2]);
    await h.release(new Error('script failed'));
    expect(h.seqs).toEqual([1, 4]);
    await h.publishLive(1);
    expect(h.seqs).toEqual([1, 4, 5]);
  });

  it('gives up a fill that holds too many live items, and ignores its late answer', async () => {
    h = new Harness(1000, 3);
    await h.publishLive(1);
    await h.publish(1);
    const held = await h.publish(4);
    for (const delivery of held) h.filler.take(delivery);
    expect(h.seqs).toEqual([1, 3, 4, 5, 6]);
    await h.release();
    expect(h.seqs).toEqual([1, 3, 4, 5, 6]);
  });

  it('passes items without a seq (go-push, broadcasts) and rooms it does not follow straight on', () => {
    h = new Harness();
    h.filler.take({ room: ROOM, json: '{}', priority: false });
    h.filler.take({ room: null, json: '{}', priority: false });
    h.filler.take({ room: 'other', json: '{}', priority: false, seq: 7 });
    expect(h.delivered).toHaveLength(3);
    expect(h.reads).toEqual([]);
  });
});
