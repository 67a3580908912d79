import { Injectable } from '@nestjs/common';
import { Broker } from '../broker/broker.js';
import { ServerLifecycle } from '../core/server-lifecycle.js';
import { RoomService } from '../rooms/room.service.js';
import { StatsService } from './stats.service.js';

/** One process's /stats. */
export interface ProcessStats {
  connections: number;
  rooms: number;
  commentsIn: number;
  framesOut: number;
  bytesOut: number;
  plainBytesOut: number;
  deflateCalls: number;
  compressedConnections: number;
  dropped: number;
  thinned: number;
  batches: number;
  slowClosed: number;
  upgradesRefused: number;
  /** Publishes refused for overload: REST requests (a batch counts once), ordinary and priority, and COMMENTs. */
  overloadRefusedRest: number;
  overloadRefusedRestPriority: number;
  overloadRefusedWs: number;
  /** What admission refuses now: 0 nothing, 1 ordinary publishes, 2 priority ones too (WORKERS=N: the highest). */
  overloadLevel: 0 | 1 | 2;
  /** The wait admission last estimated for a comment accepted now, ms (WORKERS=N: the highest). */
  overloadDelayMs: number;
  fanOutWriter: 'native' | 'stream' | 'mixed';
  brokerUp: boolean;
  draining: boolean;
  uptimeSeconds: number;
  /** Rooms whose history the in-memory broker holds, and the idle ones it let go (MAX_ROOMS_KEPT). */
  roomsKept: number;
  roomsEvicted: number;
  /**
   * What a soak watches for leaks: memory, and the handles and requests keeping the event
   * loop alive (sockets, timers, ...), which grow with every connection never cleaned up.
   */
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  activeResources: number;
}

/** The counts that add up over workers. */
const SUMMED = [
  'connections',
  'rooms',
  'commentsIn',
  'framesOut',
  'bytesOut',
  'plainBytesOut',
  'deflateCalls',
  'compressedConnections',
  'dropped',
  'thinned',
  'batches',
  'slowClosed',
  'upgradesRefused',
  'overloadRefusedRest',
  'overloadRefusedRestPriority',
  'overloadRefusedWs',
  'roomsKept',
  'roomsEvicted',
  'rssBytes',
  'heapUsedBytes',
  'heapTotalBytes',
  'externalBytes',
  'arrayBuffersBytes',
  'activeResources',
] as const satisfies readonly (keyof ProcessStats)[];

export interface WorkerStats extends ProcessStats {
  worker: number;
  pid: number;
}

/** /stats of WORKERS=N: the sums, and each worker's own. */
export interface ServerStats extends ProcessStats {
  /** The worker that took this request. */
  answeredBy: number;
  workers: WorkerStats[];
  /** Workers that did not answer in time: the sums leave them out. */
  workersMissing: number;
}

@Injectable()
export class StatsSnapshot {
  constructor(
    private readonly stats: StatsService,
    private readonly rooms: RoomService,
    private readonly broker: Broker,
    private readonly lifecycle: ServerLifecycle,
  ) {}

  /** This process's numbers. */
  local(): ProcessStats {
    const s = this.stats;
    const kept = this.broker.keptRooms();
    const memory = process.memoryUsage();
    return {
      connections: this.rooms.connectionCount,
      rooms: this.rooms.roomCount,
      commentsIn: s.commentsIn,
      framesOut: s.framesOut,
      bytesOut: s.bytesOut,
      plainBytesOut: s.plainBytesOut,
      deflateCalls: s.deflateCalls,
      compressedConnections: this.rooms.compressedConnectionCount,
      dropped: s.dropped,
      thinned: s.thinned,
      batches: s.batches,
      slowClosed: s.slowClosed,
      upgradesRefused: s.upgradesRefused,
      overloadRefusedRest: s.overloadRefusedRest,
      overloadRefusedRestPriority: s.overloadRefusedRestPriority,
      overloadRefusedWs: s.overloadRefusedWs,
      overloadLevel: s.overloadLevel,
      overloadDelayMs: s.overloadDelayMs,
      fanOutWriter: s.fanOutWriter,
      brokerUp: this.broker.health().ok,
      draining: this.lifecycle.draining,
      uptimeSeconds: Math.round(process.uptime()),
      roomsKept: kept.kept,
      roomsEvicted: kept.evicted,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      arrayBuffersBytes: memory.arrayBuffers,
      activeResources: process.getActiveResourcesInfo().length,
    };
  }
}

/**
 * Every worker's numbers as one: counts summed (`rooms` too, so a room with members in two
 * workers counts twice; `workers` has each one's), the broker up only if it is up
 * everywhere, draining if any worker is, the longest uptime, the most overloaded worker's
 * admission level and wait.
 */
export function combineStats(workers: WorkerStats[], missing: number, answeredBy: number): ServerStats {
  const total = { ...workers[0] } as ProcessStats & Partial<WorkerStats>;
  delete total.worker;
  delete total.pid;
  for (const key of SUMMED) total[key] = workers.reduce((sum, worker) => sum + worker[key], 0);
  total.brokerUp = workers.every((worker) => worker.brokerUp);
  total.draining = workers.some((worker) => worker.draining);
  total.uptimeSeconds = Math.max(...workers.map((worker) => worker.uptimeSeconds));
  total.overloadLevel = Math.max(...workers.map((worker) => worker.overloadLevel)) as ProcessStats['overloadLevel'];
  total.overloadDelayMs = Math.max(...workers.map((worker) => worker.overloadDelayMs));
  if (workers.some((worker) => worker.fanOutWriter !== total.fanOutWriter)) total.fanOutWriter = 'mixed';
  return { ...total, answeredBy, workers, workersMissing: missing };
}
