import { Injectable } from '@nestjs/common';

/**
 * Plain counters the hot path bumps directly (no framework call per member);
 * /stats and /metrics read them when asked.
 */
@Injectable()
export class StatsService {
  /** Comments accepted over WebSocket and REST, broadcasts included, go-push items not. */
  commentsIn = 0;
  /** Frames written to viewer sockets (one per member per batch). */
  framesOut = 0;
  /** Bytes of those frames as written, compressed where the member negotiated compression. */
  bytesOut = 0;
  /** Bytes the same frames would have taken uncompressed: bytesOut / plainBytesOut is what compression saves. */
  plainBytesOut = 0;
  /** Messages deflated: once per batch per deflate window in use, whatever the member count. */
  deflateCalls = 0;
  /** Frames not sent to slow consumers. */
  dropped = 0;
  /** Items left out of a frame by thinning (still kept in history). */
  thinned = 0;
  /** Batches encoded (one per room per window, whatever the member count). */
  batches = 0;
  /** Connections closed with 1013 for being too slow. */
  slowClosed = 0;
  /** Connections refused at the upgrade (bad token, draining). */
  upgradesRefused = 0;
  /** Publishes refused for overload (admission/): REST requests (a batch counts once), ordinary and priority, and COMMENTs. */
  overloadRefusedRest = 0;
  overloadRefusedRestPriority = 0;
  overloadRefusedWs = 0;
  /** What admission refuses now: 0 nothing, 1 ordinary publishes, 2 priority ones too. */
  overloadLevel: 0 | 1 | 2 = 0;
  /** The wait admission last estimated for a newly accepted comment, ms. */
  overloadDelayMs = 0;
  /** How batches reach the sockets: 'native' (one addon call per shard) or 'stream' (socket.write each). */
  fanOutWriter: 'native' | 'stream' = 'stream';
}
