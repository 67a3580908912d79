import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { DANMAKU_ROUTE_PREFIX } from '../danmaku-options.js';
import { parseEnvelope } from './envelope-parser.js';
import { UpgradeVerifier } from './upgrade-verifier.js';

/**
 * Nest's ws adapter with the protocol's envelope parser and the options that come from
 * configuration: MAX_PAYLOAD (ws closes 1009 above it), the upgrade check, and no
 * per-message compression (frames are built once and must go out as they are).
 */
export class DanmakuWsAdapter extends WsAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app, { messageParser: parseEnvelope });
  }

  override create(port: number, options: Record<string, unknown> & { path?: string }) {
    const prefix = this.app.get<string>(DANMAKU_ROUTE_PREFIX);
    return super.create(port, {
      ...options,
      // Mounted with the HTTP routes: /connect, or /<prefix>/connect.
      path: prefix ? `/${prefix}${options.path ?? ''}` : options.path,
      maxPayload: this.app.get(DanmakuConfig).MAX_PAYLOAD,
      verifyClient: this.app.get(UpgradeVerifier).verify,
      perMessageDeflate: false,
    });
  }
}
