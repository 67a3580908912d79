import { get, postJson, roomPath } from './support/http.js';
import { type RunningServer, startServer } from './support/server.js';
import { Viewer } from './support/viewer.js';

// MAX_ROOMS_KEPT bounds the rooms whose history the in-memory broker keeps: past it the
// least recently published room without members is let go, never a room with members.
describe('rooms kept in memory (MAX_ROOMS_KEPT)', () => {
  let server: RunningServer;
  const viewers: Viewer[] = [];
  const connect = async () => {
    const viewer = await Viewer.connect(server.ws);
    viewers.push(viewer);
    return viewer;
  };
  beforeAll(async () => {
    server = await startServer({ MAX_ROOMS_KEPT: '4', BATCH_WINDOW_MS: '20' });
  });
  afterAll(async () => {
    for (const viewer of viewers) viewer.close();
    await server.stop();
  });

  const metric = async (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec((await get(server.http, '/metrics')).text)?.[1]);

  it('lets the oldest idle rooms go, keeps recent ones and rooms with members, and counts it', async () => {
    // A room with a member: kept whatever comes after.
    const member = await connect();
    await member.join('watched');
    await postJson(server.http, roomPath('watched') + '/comments', { text: 'watched 1' });
    // A viewer makes history in a room and leaves it: an idle room, the oldest.
    const passer = await connect();
    await passer.join('passed');
    expect((await passer.request('COMMENT', { room: 'passed', text: 'passing by' }, 'ACK')).type).toBe('ACK');
    passer.send('LEAVE', { room: 'passed' });
    await passer.next('LEFT');
    for (let i = 1; i <= 5; i++) await postJson(server.http, roomPath(`idle${i}`) + '/comments', { text: `idle ${i}` });

    // 7 rooms made, 4 kept: 'watched' and the three most recent idle ones.
    const stats = (await get(server.http, '/stats')).body;
    expect(stats).toMatchObject({ roomsKept: 4, roomsEvicted: 3 });
    expect(await metric('danmaku_rooms_evicted_total')).toBe(3);
    expect(await metric('danmaku_rooms_kept')).toBe(4);

    // One reader per room: the JOIN and LEAVE limit would refuse one viewer's tour.
    for (const [room, text] of [['idle3', 'idle 3'], ['idle4', 'idle 4'], ['idle5', 'idle 5'], ['watched', 'watched 1']]) {
      const reader = await connect();
      expect((await reader.join(room, 0)).data).toMatchObject({ room, seq: 1 });
      expect(reader.itemsIn(room).map((item) => item.text)).toEqual([text]);
    }
    // A member's JOIN makes a room's (empty) history, so the kept rooms are read first.
    for (const room of ['passed', 'idle1', 'idle2']) {
      // Gone: a resume from seq 1 learns the room restarted, and nothing is replayed.
      const reader = await connect();
      expect((await reader.join(room, 1)).data).toEqual({ room, seq: 0, online: 1, gap: true, epoch: expect.any(String) });
      expect(reader.frames.filter((frame) => frame.type === 'PUSH')).toEqual([]);
    }
  });

  it('stays bounded however many rooms are published to', async () => {
    const before = await metric('danmaku_rooms_evicted_total');
    await Promise.all(Array.from({ length: 200 }, (_, i) => postJson(server.http, roomPath(`many${i}`) + '/comments', { text: 'x' })));
    // The readers above are members of seven rooms: those fill the cap, and each new idle
    // room makes way for the next.
    expect((await get(server.http, '/stats')).body.roomsKept).toBe(8);
    expect(await metric('danmaku_rooms_evicted_total')).toBe(before + 199);
  });
});
