import { type DynamicModule, Module } from '@nestjs/common';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { GatewayModule } from '../gateway/gateway.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { LiveRoomsController } from './live-rooms.controller.js';
import { PageAssets } from './page-assets.js';
import { PageController } from './page.controller.js';
import { ViewerAuthController } from './viewer-auth.controller.js';

@Module({
  controllers: [PageController, LiveRoomsController, ViewerAuthController],
  providers: [PageAssets],
})
export class PageModule {
  static register(scope: DanmakuScope): DynamicModule {
    // GatewayModule: the viewer-auth route asks the same authenticator as the socket.
    return scope.module(PageModule, () => ({
      imports: [scope.core, GatewayModule.register(scope), RoomsModule.register(scope)],
    }));
  }
}
