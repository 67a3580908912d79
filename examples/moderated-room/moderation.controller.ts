import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ActivityService } from './activity.service.js';
import { MuteList } from './mute-list.js';

/** The host app's own routes, beside the ones DanmakuModule mounts under /live. */
@Controller('moderation')
export class ModerationController {
  constructor(
    private readonly muteList: MuteList,
    private readonly activity: ActivityService,
  ) {}

  // A real app would put its admin guard here.
  @Post('rooms/:room/mute/:user')
  @HttpCode(204)
  mute(@Param('room') room: string, @Param('user') user: string): void {
    this.muteList.mute(room, user);
  }

  @Get('activity')
  counts() {
    return { ...this.activity.counts, lastRejection: this.activity.lastRejection };
  }
}
