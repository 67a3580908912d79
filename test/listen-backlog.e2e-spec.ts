import { execFileSync } from 'node:child_process';
import { type RunningServer, startServer } from './support/server.js';

/** The backlog of the socket listening on `port`, as the kernel reports it (ss: Send-Q of a listener). */
function listenBacklog(port: number): number {
  const line = execFileSync('ss', ['-Hltn', `sport = :${port}`]).toString().trim();
  const [, , sendQ] = line.split(/\s+/);
  return Number(sendQ);
}

describe('LISTEN_BACKLOG', () => {
  let server: RunningServer | undefined;
  afterEach(() => server?.stop());

  it('is the backlog the server listens with', async () => {
    server = await startServer({ LISTEN_BACKLOG: '1234' });
    expect(listenBacklog(server.port)).toBe(1234);
  });

  it('is far above Node\'s 511 by default, so a join storm does not overflow the accept queue', async () => {
    server = await startServer();
    expect(listenBacklog(server.port)).toBeGreaterThan(511);
  });
});
