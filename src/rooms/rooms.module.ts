import { type DynamicModule, Module } from '@nestjs/common';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { BrokerModule } from '../broker/broker.module.js';
import { RoomService } from './room.service.js';
import { RoomSubscriptions } from './room-subscriptions.service.js';

/** Room membership, and the broker following the rooms with members here. */
@Module({
  providers: [RoomService, RoomSubscriptions],
  exports: [RoomService],
})
export class RoomsModule {
  static register(scope: DanmakuScope): DynamicModule {
    return scope.module(RoomsModule, () => ({ imports: [scope.core, BrokerModule.register(scope)] }));
  }
}
