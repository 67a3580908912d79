import { get, roomPath } from './support/http.js';
import { type RunningServer, startServer } from './support/server.js';
import { Viewer } from './support/viewer.js';
import { rawSocketOf } from '../src/sockets/socket-internals.js';

// Every row of PROTOCOL.md's rules table that a single connection can show, with PING,
// JOIN, LEAVE and COMMENT answered by DirectMessages (the default) and by the gateway's Nest
// handlers (DIRECT_PUBLISH=false): the same answers either way.
describe.each([
  ['frames through DirectMessages', 'true'],
  ['frames through the Nest handlers, DIRECT_PUBLISH=false', 'false'],
])('gateway rules (%s)', (_, direct) => {
  let server: RunningServer;
  const open: Viewer[] = [];
  const connect = async () => {
    const viewer = await Viewer.connect(server.ws);
    open.push(viewer);
    return viewer;
  };

  beforeAll(async () => {
    server = await startServer({ MAX_ROOMS_PER_CONN: '3', MAX_PAYLOAD: '1024', COMMENT_RATE: '1000', COMMENT_BURST: '1000', DIRECT_PUBLISH: direct });
  });
  afterEach(() => {
    for (const viewer of open.splice(0)) viewer.close();
  });
  afterAll(() => server.stop());

  describe('room ids', () => {
    it.each([
      ['默认房间'],
      ['a'],
      ['x'.repeat(64)],
      ['🎉'.repeat(64)],
      ['комната 1'],
    ])('accepts %j', async (room) => {
      const viewer = await connect();
      const joined = await viewer.join(room);
      expect(joined).toEqual({ type: 'JOINED', data: { room, seq: 0, epoch: expect.any(String), online: 1 } });
    });

    it.each<[unknown, string]>([
      ['', 'empty'],
      ['x'.repeat(65), '65 characters'],
      ['🎉'.repeat(65), '65 code points'],
      ['bad\nroom', 'a line feed'],
      ['bad\u0000room', 'NUL'],
      ['bad\u0085room', 'a C1 control'],
      ['x\uD800', 'a lone high surrogate (UTF-8 would turn it into x\uFFFD)'],
      ['x\uDBFF', 'another lone high surrogate'],
      ['\uDC00x', 'a lone low surrogate'],
      [42, 'not a string'],
    ])('refuses %j (%s) with BAD_ROOM', async (room) => {
      const viewer = await connect();
      const answer = await viewer.request('JOIN', { room }, 'JOINED');
      expect(answer.type).toBe('ERROR');
      expect(answer.data).toMatchObject({ code: 'BAD_ROOM', ref: 'JOIN' });
    });

    it('refuses a bad room in LEAVE and COMMENT too', async () => {
      const viewer = await connect();
      expect((await viewer.request('LEAVE', { room: '' }, 'LEFT')).data.code).toBe('BAD_ROOM');
      expect((await viewer.request('COMMENT', { room: '', text: 'x' }, 'ACK')).data.code).toBe('BAD_ROOM');
    });
  });

  it('refuses a JOIN beyond MAX_ROOMS_PER_CONN with ROOM_LIMIT and leaves membership unchanged', async () => {
    const viewer = await connect();
    for (const room of ['l1', 'l2', 'l3']) expect((await viewer.join(room)).type).toBe('JOINED');
    const refused = await viewer.join('l4');
    expect(refused.data).toMatchObject({ code: 'ROOM_LIMIT', ref: 'JOIN' });
    expect((await get(server.http, roomPath('l4'))).body).toEqual({ room: 'l4', online: 0, seq: 0 });
    // Re-joining one of the three is still fine: it is not a new room.
    expect((await viewer.join('l2')).type).toBe('JOINED');
    expect((await viewer.request('LEAVE', { room: 'l1' }, 'LEFT')).type).toBe('LEFT');
    expect((await viewer.join('l4')).type).toBe('JOINED');
  });

  it('rate-limits JOIN and LEAVE together (bursts of 10), counting refusals toward the 1008 close', async () => {
    const viewer = await connect();
    // One TCP write: 30 frames, none answered before the next is read.
    for (let i = 0; i < 30; i++) viewer.send(i % 2 === 0 ? 'JOIN' : 'LEAVE', { room: 'churn' });
    const closed = await viewer.closed;
    expect(closed.code).toBe(1008);
    const refused = viewer.frames.filter((f) => f.type === 'ERROR');
    expect(refused).toHaveLength(20);
    expect(refused.every((f) => f.data.code === 'RATE_LIMITED' && ['JOIN', 'LEAVE'].includes(f.data.ref))).toBe(true);
    expect(viewer.frames.filter((f) => f.type === 'JOINED' || f.type === 'LEFT')).toHaveLength(10);
  });

  it('answers a repeated JOIN and a LEAVE of a room not joined as if they worked, changing nothing', async () => {
    const viewer = await connect();
    await viewer.join('twice');
    const again = await viewer.join('twice');
    expect(again).toEqual({ type: 'JOINED', data: { room: 'twice', seq: 0, epoch: expect.any(String), online: 1 } });
    expect(await viewer.request('LEAVE', { room: 'never' }, 'LEFT')).toEqual({ type: 'LEFT', data: { room: 'never' } });
    expect((await get(server.http, roomPath('twice'))).body.online).toBe(1);
    expect(await viewer.request('LEAVE', { room: 'twice' }, 'LEFT')).toEqual({ type: 'LEFT', data: { room: 'twice' } });
    expect((await get(server.http, roomPath('twice'))).body.online).toBe(0);
  });

  it.each([
    ['not JSON', 'hello'],
    ['JSON without a type', '{"data":{}}'],
    ['a non-string type', '{"type":7}'],
    ['a JSON array', '[]'],
  ])('answers %s with BAD_FRAME and keeps the connection open', async (_, frame) => {
    const viewer = await connect();
    viewer.sendRaw(frame);
    const error = await viewer.next('ERROR');
    expect(error.data.code).toBe('BAD_FRAME');
    expect(error.data.message).toEqual(expect.any(String));
    expect((await viewer.request('PING', {}, 'PONG')).type).toBe('PONG');
  });

  it('answers a binary frame with BAD_FRAME and keeps the connection open', async () => {
    const viewer = await connect();
    viewer.sendRaw(Buffer.from('{"type":"PING","data":{}}'), true);
    expect((await viewer.next('ERROR')).data.code).toBe('BAD_FRAME');
    expect((await viewer.request('PING', {}, 'PONG')).type).toBe('PONG');
  });

  it('answers an unknown type with UNKNOWN_TYPE naming it, and keeps the connection open', async () => {
    const viewer = await connect();
    const error = await viewer.request('SUBSCRIBE', { room: 'r' }, 'nothing');
    expect(error.data).toMatchObject({ code: 'UNKNOWN_TYPE', ref: 'SUBSCRIBE' });
    expect((await viewer.request('PING', {}, 'PONG')).type).toBe('PONG');
  });

  it('answers PING with PONG, with or without data', async () => {
    const viewer = await connect();
    expect(await viewer.request('PING', {}, 'PONG')).toEqual({ type: 'PONG', data: {} });
    viewer.sendRaw('{"type":"PING"}');
    expect(await viewer.next('PONG')).toEqual({ type: 'PONG', data: {} });
  });

  describe('COMMENT', () => {
    it('acks a valid comment with the same cid and delivers it in the next PUSH', async () => {
      const viewer = await connect();
      await viewer.join('c-ok');
      const ack = await viewer.request('COMMENT', { room: 'c-ok', text: '第一', color: '#00ff00', mode: 'top', cid: 'k1' }, 'ACK');
      expect(ack).toEqual({ type: 'ACK', data: { cid: 'k1', id: expect.any(String), seq: 1 } });
      const push = await viewer.next('PUSH');
      expect(push.data).toEqual({
        room: 'c-ok',
        items: [{ id: ack.data.id, seq: 1, room: 'c-ok', text: '第一', color: '#00ff00', mode: 'top', ts: expect.any(Number) }],
      });
    });

    it('accepts exactly 200 characters counted as code points', async () => {
      const viewer = await connect();
      await viewer.join('c-200');
      const ack = await viewer.request('COMMENT', { room: 'c-200', text: '😀'.repeat(200) }, 'ACK');
      expect(ack.type).toBe('ACK');
    });

    it.each([
      ['empty text', { text: '' }],
      ['missing text', {}],
      ['201 characters', { text: '弹'.repeat(201) }],
      ['a bad color', { text: 'x', color: 'red' }],
      ['a short color', { text: 'x', color: '#fff' }],
      ['a bad mode', { text: 'x', mode: 'sideways' }],
      ['a non-string text', { text: 5 }],
    ])('refuses %s with BAD_COMMENT, echoing the cid', async (_, fields) => {
      const viewer = await connect();
      await viewer.join('c-bad');
      const error = await viewer.request('COMMENT', { room: 'c-bad', cid: 'bad1', ...fields }, 'ACK');
      expect(error.data).toMatchObject({ code: 'BAD_COMMENT', ref: 'COMMENT', cid: 'bad1' });
    });

    it('refuses a comment to a room not joined with NOT_JOINED', async () => {
      const viewer = await connect();
      const error = await viewer.request('COMMENT', { room: 'elsewhere', text: 'hi', cid: 'n1' }, 'ACK');
      expect(error.data).toMatchObject({ code: 'NOT_JOINED', cid: 'n1' });
    });
  });

  it('closes with 1009 on a frame over MAX_PAYLOAD', async () => {
    const viewer = await connect();
    viewer.send('COMMENT', { room: 'r', text: 'x'.repeat(2000) });
    expect((await viewer.closed).code).toBe(1009);
  });

  it('closes with 1007 on invalid UTF-8, and logs client protocol errors below ERROR (no log flood)', async () => {
    const viewer = await connect();
    // A masked text frame whose payload (C3 28) is not UTF-8.
    rawSocketOf(viewer.ws).write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xc3, 0x28]));
    expect((await viewer.closed).code).toBe(1007);
    const oversize = await connect();
    oversize.sendRaw('x'.repeat(5000));
    expect((await oversize.closed).code).toBe(1009);
    // Both closes are done server-side before the clients see them; anything logged came first.
    expect(server.output()).not.toMatch(/ERROR.*(invalid UTF-8|Max payload size exceeded)/);
    expect(server.output()).not.toContain('receiver.js');
  });

  it('reports online counts that follow joins, leaves and closes', async () => {
    const a = await connect();
    const b = await connect();
    expect((await a.join('count')).data.online).toBe(1);
    expect((await b.join('count')).data.online).toBe(2);
    b.close();
    await b.closed;
    await vi.waitFor(async () => expect((await get(server.http, roomPath('count'))).body.online).toBe(1));
  });
});
