import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { StatsService } from '../stats/stats.service.js';
import { ServerLifecycle } from './server-lifecycle.js';
import { type Viewer, ViewerAuthenticator } from './viewer-authenticator.js';

/** Where the admitted viewer travels from the upgrade to the connection handler. */
export const VIEWER = Symbol('viewer');
export type UpgradeRequest = IncomingMessage & { [VIEWER]?: Viewer };

type Verdict = (accept: boolean, code?: number, reason?: string) => void;

/**
 * ws's verifyClient: refuses upgrades while draining (503) and asks the
 * ViewerAuthenticator who the viewer is (401 when it says nobody).
 */
@Injectable()
export class UpgradeVerifier {
  private readonly logger = new Logger('UpgradeVerifier');

  constructor(
    private readonly authenticator: ViewerAuthenticator,
    private readonly stats: StatsService,
    private readonly lifecycle: ServerLifecycle,
  ) {}

  readonly verify = (info: { req: IncomingMessage }, done: Verdict): void => {
    if (this.lifecycle.draining) return this.refuse(done, 503, 'Service Unavailable');
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
