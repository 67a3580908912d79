import { Injectable } from '@nestjs/common';

/**
 * Whether the server has begun shutting down: from then on health answers 503 and
 * upgrades are refused, so load balancers and clients go elsewhere while it drains.
 */
@Injectable()
export class ServerLifecycle {
  private drainingNow = false;

  get draining(): boolean {
    return this.drainingNow;
  }

  beginDraining(): void {
    this.drainingNow = true;
  }
}
