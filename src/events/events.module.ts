import { Module } from '@nestjs/common';
import { DanmakuEvents } from './danmaku-events.js';

@Module({
  providers: [DanmakuEvents],
  exports: [DanmakuEvents],
})
export class EventsModule {}
