import { Module } from '@nestjs/common';
import { RoomService } from './room.service.js';
import { RoomSubscriptions } from './room-subscriptions.service.js';

/** Room membership, and the broker following the rooms with members here (Broker comes from DanmakuModule). */
@Module({
  providers: [RoomService, RoomSubscriptions],
  exports: [RoomService],
})
export class RoomsModule {}
