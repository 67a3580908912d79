import { postForm } from './support/http.js';
import { type RunningServer, startServer } from './support/server.js';
import { Viewer } from './support/viewer.js';

// go-push's own browser client: /connect, JOIN "默认房间", PING every 10 s, PUSH frames
// whose data.items hold what /push/room posted.
describe('a go-push client, unchanged', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it('joins, pings and receives /push/room items verbatim', async () => {
    const viewer = await Viewer.connect(server.ws);
    viewer.ws.send(JSON.stringify({ type: 'JOIN', data: { room: '默认房间' } }));
    await viewer.next('JOINED');
    viewer.ws.send(JSON.stringify({ type: 'PING', data: {} }));
    expect(await viewer.next('PONG')).toEqual({ type: 'PONG', data: {} });

    const items = '[{"msg": "你好", "n": 1.50},"plain"]';
    const answer = await postForm(server.http, '/push/room', { room: '默认房间', items });
    expect(answer.status).toBe(200);
    const push = await viewer.next('PUSH');
    expect(push.data.items).toEqual([{ msg: '你好', n: 1.5 }, 'plain']);
    // Byte for byte: the raw frame carries the items exactly as posted.
    const raw = await new Promise<string>((resolve) => {
      viewer.ws.once('message', (data) => resolve(data.toString()));
      void postForm(server.http, '/push/room', { room: '默认房间', items });
    });
    expect(raw).toContain('"items":[{"msg": "你好", "n": 1.50},"plain"]');
    viewer.close();
  });
});
