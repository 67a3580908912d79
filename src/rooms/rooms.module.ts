import { type DynamicModule, Module } from '@nestjs/common';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { RoomService } from './room.service.js';

@Module({
  providers: [RoomService],
  exports: [RoomService],
})
export class RoomsModule {
  static register(scope: DanmakuScope): DynamicModule {
    return scope.module(RoomsModule, () => ({ imports: [scope.core] }));
  }
}
