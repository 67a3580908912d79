import { rawSocketOf } from '../src/sockets/socket-internals.js';
import { get } from './support/http.js';
import { type RunningServer, startServer } from './support/server.js';
import { Viewer } from './support/viewer.js';

// The rate limits of COMMENT, JOIN and LEAVE are taken by DirectMessages by default and by
// CommentRateGuard and MembershipRateGuard with DIRECT_PUBLISH=false: the same limits and
// closes either way.
describe.each([
  ['frames through DirectMessages', 'true'],
  ['frames through the Nest handlers, DIRECT_PUBLISH=false', 'false'],
])('rate limits, heartbeat and presence (%s)', (_, direct) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ COMMENT_RATE: '1', COMMENT_BURST: '2', HEARTBEAT_TIMEOUT_MS: '1500', ONLINE_INTERVAL_MS: '100', DIRECT_PUBLISH: direct });
  });
  afterAll(() => server.stop());

  it('refuses comments beyond the burst with RATE_LIMITED, whatever their content', async () => {
    const viewer = await Viewer.connect(server.ws);
    await viewer.join('rate');
    expect((await viewer.request('COMMENT', { room: 'rate', text: 'one', cid: '1' }, 'ACK')).type).toBe('ACK');
    // An invalid comment takes a token too.
    expect((await viewer.request('COMMENT', { room: 'rate', text: '', cid: '2' }, 'ACK')).data.code).toBe('BAD_COMMENT');
    const refused = await viewer.request('COMMENT', { room: 'rate', text: 'three', cid: '3' }, 'ACK');
    expect(refused.data).toMatchObject({ code: 'RATE_LIMITED', cid: '3', ref: 'COMMENT' });
    viewer.close();
  });

  it('closes with 1008 on the 20th refusal within 10 s, after sending it', async () => {
    const viewer = await Viewer.connect(server.ws);
    await viewer.join('flood');
    // All 30 frames in one TCP write, so the server reads them in one chunk: the comments
    // it accepts are still on their way to the publisher when the 20th refusal comes.
    const socket = rawSocketOf(viewer.ws);
    socket.cork();
    for (let i = 0; i < 30; i++) viewer.send('COMMENT', { room: 'flood', text: `c${i}`, cid: `${i}` });
    socket.uncork();
    const closed = await viewer.closed;
    expect(closed.code).toBe(1008);
    const refusals = viewer.frames.filter((f) => f.type === 'ERROR' && f.data.code === 'RATE_LIMITED');
    expect(refusals).toHaveLength(20);
    // The burst of 2, plus a token refilled (1/s) if a loaded machine took that long.
    const acks = viewer.frames.filter((f) => f.type === 'ACK').length;
    expect(acks).toBeGreaterThanOrEqual(2);
    expect(acks).toBeLessThanOrEqual(4);
    // Every comment that was published got its ACK before the close.
    expect((await get(server.http, '/rooms/flood')).body.seq).toBe(acks);
  });

  it('pings every third of HEARTBEAT_TIMEOUT_MS and closes a silent client with 1000', async () => {
    const silent = await Viewer.connect(server.ws, { autoPong: false });
    const alive = await Viewer.connect(server.ws);
    let pings = 0;
    silent.ws.on('ping', () => pings++);
    const closed = await silent.closed;
    expect(closed.code).toBe(1000);
    expect(pings).toBeGreaterThanOrEqual(1);
    // The client that answers pings by itself outlived the silent one.
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
    expect((await alive.request('PING', {}, 'PONG')).type).toBe('PONG');
    alive.close();
  });

  it('sends ONLINE when a room count changes, within ONLINE_INTERVAL_MS', async () => {
    const first = await Viewer.connect(server.ws);
    await first.join('presence');
    const second = await Viewer.connect(server.ws);
    await second.join('presence');
    expect(await first.next((f) => f.type === 'ONLINE' && f.data.online === 2)).toEqual({
      type: 'ONLINE',
      data: { room: 'presence', online: 2 },
    });
    second.close();
    expect((await first.next((f) => f.type === 'ONLINE' && f.data.online === 1)).data.room).toBe('presence');
    first.close();
  });
});
