import { combineStats, type WorkerStats } from './stats-snapshot.js';

const worker = (id: number, values: Partial<WorkerStats>): WorkerStats => ({
  worker: id,
  pid: 1000 + id,
  connections: 0,
  rooms: 0,
  commentsIn: 0,
  framesOut: 0,
  bytesOut: 0,
  plainBytesOut: 0,
  deflateCalls: 0,
  compressedConnections: 0,
  dropped: 0,
  thinned: 0,
  batches: 0,
  slowClosed: 0,
  upgradesRefused: 0,
  overloadRefusedRest: 0,
  overloadRefusedRestPriority: 0,
  overloadRefusedWs: 0,
  overloadLevel: 0,
  overloadDelayMs: 0,
  fanOutWriter: 'native',
  brokerUp: true,
  draining: false,
  uptimeSeconds: 10,
  roomsKept: 0,
  roomsEvicted: 0,
  rssBytes: 100,
  heapUsedBytes: 50,
  heapTotalBytes: 60,
  externalBytes: 5,
  arrayBuffersBytes: 1,
  activeResources: 7,
  ...values,
});

describe('combineStats', () => {
  it('sums the counts, keeps each worker, and is down or draining if any worker is', () => {
    const workers = [
      worker(1, { connections: 3, commentsIn: 5, framesOut: 7, uptimeSeconds: 30 }),
      worker(2, { connections: 4, commentsIn: 1, framesOut: 2, brokerUp: false, draining: true, fanOutWriter: 'stream' }),
    ];
    const total = combineStats(workers, 1, 2);
    expect(total).toMatchObject({
      connections: 7,
      commentsIn: 6,
      framesOut: 9,
      rssBytes: 200,
      brokerUp: false,
      draining: true,
      uptimeSeconds: 30,
      fanOutWriter: 'mixed',
      workersMissing: 1,
      answeredBy: 2,
    });
    expect(total.workers).toBe(workers);
    expect(total).not.toHaveProperty('worker');
    expect(total).not.toHaveProperty('pid');
  });

  it('sums the overload refusals and takes the most overloaded worker\'s level and wait', () => {
    const total = combineStats(
      [
        worker(1, { overloadRefusedRest: 3, overloadRefusedWs: 1, overloadLevel: 1, overloadDelayMs: 400 }),
        worker(2, { overloadRefusedRest: 2, overloadRefusedRestPriority: 1, overloadLevel: 2, overloadDelayMs: 90 }),
        worker(3, {}),
      ],
      0,
      1,
    );
    expect(total).toMatchObject({
      overloadRefusedRest: 5,
      overloadRefusedRestPriority: 1,
      overloadRefusedWs: 1,
      overloadLevel: 2,
      overloadDelayMs: 400,
    });
  });

  it('keeps what every worker agrees on', () => {
    const total = combineStats([worker(1, {}), worker(2, {})], 0, 1);
    expect(total).toMatchObject({ brokerUp: true, draining: false, fanOutWriter: 'native', workersMissing: 0 });
  });
});
