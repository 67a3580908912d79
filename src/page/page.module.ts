import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module.js';
import { LiveRoomsController } from './live-rooms.controller.js';
import { PageAssets } from './page-assets.js';
import { PageController } from './page.controller.js';
import { ViewerAuthController } from './viewer-auth.controller.js';

@Module({
  imports: [RoomsModule],
  controllers: [PageController, LiveRoomsController, ViewerAuthController],
  providers: [PageAssets],
})
export class PageModule {}
