import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** /stats as the OpenAPI document describes it (the numbers are StatsSnapshot's). */
export class ProcessStatsAnswer {
  @ApiProperty({ description: 'Open viewer connections' }) connections: number;
  @ApiProperty({ description: 'Rooms with members (with WORKERS=N, summed over the workers)' }) rooms: number;
  @ApiProperty({ description: 'Comments accepted over WebSocket and REST, broadcasts included, go-push items not' }) commentsIn: number;
  @ApiProperty({ description: 'Frames written to viewer sockets' }) framesOut: number;
  @ApiProperty({ description: 'Bytes of those frames as written' }) bytesOut: number;
  @ApiProperty({ description: 'Bytes they would have taken uncompressed' }) plainBytesOut: number;
  @ApiProperty({ description: 'Messages deflated (once per batch per deflate window in use)' }) deflateCalls: number;
  @ApiProperty({ description: 'Connections that negotiated permessage-deflate' }) compressedConnections: number;
  @ApiProperty({ description: 'Frames not sent to slow consumers' }) dropped: number;
  @ApiProperty({ description: 'Items left out of frames by thinning' }) thinned: number;
  @ApiProperty({ description: 'Batches encoded (one per room per window)' }) batches: number;
  @ApiProperty({ description: 'Connections closed with 1013' }) slowClosed: number;
  @ApiProperty({ description: 'Upgrades refused (bad token, draining, origin)' }) upgradesRefused: number;
  @ApiProperty({ description: 'REST publishes refused with 429 for overload, not priority (a batch counts once)' }) overloadRefusedRest: number;
  @ApiProperty({ description: 'REST publishes refused with 429 for overload, priority ones (every item priority, or a broadcast)' })
  overloadRefusedRestPriority: number;
  @ApiProperty({ description: 'COMMENTs answered ERROR RATE_LIMITED for overload' }) overloadRefusedWs: number;
  @ApiProperty({ enum: [0, 1, 2], description: 'What overload control refuses now: 0 nothing, 1 ordinary publishes, 2 priority ones too' })
  overloadLevel: number;
  @ApiProperty({ description: 'The wait overload control last estimated for a comment accepted now, beyond its batch window (ms)' })
  overloadDelayMs: number;
  @ApiProperty({ enum: ['native', 'stream', 'mixed'] }) fanOutWriter: string;
  @ApiProperty() brokerUp: boolean;
  @ApiProperty() draining: boolean;
  @ApiProperty() uptimeSeconds: number;
  @ApiProperty({ description: 'Rooms whose history the in-memory broker holds (0 with Redis)' }) roomsKept: number;
  @ApiProperty({ description: 'Idle rooms let go to stay under MAX_ROOMS_KEPT' }) roomsEvicted: number;
  @ApiProperty() rssBytes: number;
  @ApiProperty() heapUsedBytes: number;
  @ApiProperty() heapTotalBytes: number;
  @ApiProperty() externalBytes: number;
  @ApiProperty() arrayBuffersBytes: number;
  @ApiProperty({ description: 'Handles and requests keeping the event loop alive (sockets, timers, ...)' }) activeResources: number;
}

export class WorkerStatsAnswer extends ProcessStatsAnswer {
  @ApiProperty({ description: "node:cluster's worker id" }) worker: number;
  @ApiProperty() pid: number;
}

export class StatsAnswer extends ProcessStatsAnswer {
  @ApiPropertyOptional({ description: 'With WORKERS=N: the worker that took this request' })
  answeredBy?: number;

  @ApiPropertyOptional({ type: [WorkerStatsAnswer], description: "With WORKERS=N: each worker's own numbers; the others are their sums" })
  workers?: WorkerStatsAnswer[];

  @ApiPropertyOptional({ description: 'With WORKERS=N: workers that did not answer in time, left out of the sums' })
  workersMissing?: number;
}

export class HealthAnswer {
  @ApiProperty({ example: 'ok' }) status: string;
  @ApiProperty({ description: "This process's open viewer connections" }) connections: number;
}

export class UnhealthyAnswer {
  @ApiProperty({ enum: ['draining', 'broker down'] }) status: string;
  @ApiPropertyOptional() reason?: string;
}
