import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { StatsService } from '../stats/stats.service.js';
import { ServerLifecycle } from '../core/server-lifecycle.js';
import { type Viewer, ViewerAuthenticator } from './viewer-authenticator.js';

/** Where the admitted viewer travels from the upgrade to the connection handler. */
export const VIEWER = Symbol('viewer');
export type UpgradeRequest = IncomingMessage & { [VIEWER]?: Viewer };

type Verdict = (accept: boolean, code?: number, reason?: string) => void;

/**
 * ws's verifyClient: refuses upgrades while draining (503), from browser origins not in
 * ALLOWED_ORIGINS (403; clients that send no Origin are not browsers and pass), and asks
 * the ViewerAuthenticator who the viewer is (401 when it says nobody).
 */
@Injectable()
export class UpgradeVerifier {
  private readonly logger = new Logger('UpgradeVerifier');

  private readonly allowedOrigins: ReadonlySet<string> | undefined;

  constructor(
    private readonly authenticator: ViewerAuthenticator,
    private readonly stats: StatsService,
    private readonly lifecycle: ServerLifecycle,
    config: DanmakuConfig,
  ) {
    this.allowedOrigins = config.ALLOWED_ORIGINS && new Set(config.ALLOWED_ORIGINS.map((origin) => origin.toLowerCase()));
  }

  readonly verify = (info: { req: IncomingMessage }, done: Verdict): void => {
    if (this.lifecycle.draining) return this.refuse(done, 503, 'Service Unavailable');
    const origin = info.req.headers.origin;
    if (this.allowedOrigins && origin !== undefined && !this.allowedOrigins.has(origin.toLowerCase())) {
      return this.refuse(done, 403, 'Forbidden');
    }
    let verdict: Viewer | null | Promise<Viewer | null>;
    try {
      verdict = this.authenticator.authenticate(info.req);
    } catch (error) {
      return this.failed(error, done);
    }
    if (verdict instanceof Promise) {
      verdict.then(
        (viewer) => this.settle(info.req, viewer, done),
        (error: unknown) => this.failed(error, done),
      );
    } else {
      this.settle(info.req, verdict, done);
    }
  };

  private settle(request: IncomingMessage, viewer: Viewer | null, done: Verdict): void {
    if (!viewer) return this.refuse(done, 401, 'Unauthorized');
    (request as UpgradeRequest)[VIEWER] = viewer;
    done(true);
  }

  private failed(error: unknown, done: Verdict): void {
    this.logger.error(`viewer authenticator failed: ${(error as Error)?.message ?? error}`);
    this.refuse(done, 401, 'Unauthorized');
  }

  private refuse(done: Verdict, code: number, reason: string): void {
    this.stats.upgradesRefused++;
    done(false, code, reason);
  }
}
