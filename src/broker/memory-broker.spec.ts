import { validateConfig } from '../config/validate-config.js';
import type { CommentDraft } from '../protocol/comment.js';
import { ROOM_RETENTION_SECONDS } from './broker.js';
import { MemoryBroker } from './memory-broker.js';

const HOUR = 3600 * 1000;
const draft = (room: string, text: string): CommentDraft => ({ id: text, room, text, color: '#ffffff', mode: 'scroll', ts: 0, priority: false });

describe('MemoryBroker room retention', () => {
  let broker: MemoryBroker;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    broker = new MemoryBroker(validateConfig({}));
  });
  afterEach(() => {
    broker.onApplicationShutdown();
    vi.useRealTimers();
  });

  it('forgets a room after ROOM_RETENTION_SECONDS without a publish, and only that room', async () => {
    await broker.publish('quiet', [draft('quiet', 'a'), draft('quiet', 'b')]);
    await broker.publish('busy', [draft('busy', 'a')]);
    for (let elapsed = 0; elapsed < ROOM_RETENTION_SECONDS * 1000; elapsed += 24 * HOUR) {
      vi.advanceTimersByTime(24 * HOUR);
      await broker.publish('busy', [draft('busy', 'again')]);
    }
    expect(await broker.lastSeq('quiet')).toBe(2);
    vi.advanceTimersByTime(2 * HOUR);
    expect(await broker.lastSeq('quiet')).toBe(0);
    expect(await broker.replay('quiet', 2)).toMatchObject({ items: [], lastSeq: 0, gap: true });
    expect(await broker.lastSeq('busy')).toBe(8);
    // A forgotten room starts again from seq 1.
    expect(await broker.publish('quiet', [draft('quiet', 'c')])).toEqual([{ id: 'c', seq: 1 }]);
  });
});
