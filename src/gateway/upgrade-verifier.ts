import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { jwtVerify } from 'jose';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { StatsService } from '../stats/stats.service.js';

/** Where the verified viewer id travels from the upgrade to the connection handler. */
export const VIEWER_USER = Symbol('viewer user');
export type UpgradeRequest = IncomingMessage & { [VIEWER_USER]?: string };

type Verdict = (accept: boolean, code?: number, reason?: string) => void;

/**
 * ws's verifyClient: refuses upgrades while draining (503) and, with
 * VIEWER_TOKEN_SECRET set, without a valid HS256 `?token=` whose `sub` is a user id (401).
 */
@Injectable()
export class UpgradeVerifier {
  private readonly secret: Uint8Array | undefined;

  constructor(
    config: DanmakuConfig,
    private readonly stats: StatsService,
  ) {
    this.secret = config.VIEWER_TOKEN_SECRET === undefined ? undefined : new TextEncoder().encode(config.VIEWER_TOKEN_SECRET);
  }

  readonly verify = (info: { req: IncomingMessage }, done: Verdict): void => {
    if (this.stats.draining) return this.refuse(done, 503, 'Service Unavailable');
    if (!this.secret) return done(true);
    const token = new URL(info.req.url ?? '/', 'http://localhost').searchParams.get('token');
    if (!token) return this.refuse(done, 401, 'Unauthorized');
    jwtVerify(token, this.secret, { algorithms: ['HS256'] }).then(
      ({ payload }) => {
        if (typeof payload.sub !== 'string' || payload.sub.length === 0) return this.refuse(done, 401, 'Unauthorized');
        (info.req as UpgradeRequest)[VIEWER_USER] = payload.sub;
        done(true);
      },
      () => this.refuse(done, 401, 'Unauthorized'),
    );
  };

  private refuse(done: Verdict, code: number, reason: string): void {
    this.stats.upgradesRefused++;
    done(false, code, reason);
  }
}
