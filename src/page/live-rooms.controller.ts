import { Controller, Get, Header } from '@nestjs/common';
import { RoomService } from '../rooms/room.service.js';

/** At most this many rooms are listed, busiest first. */
const MAX_LISTED = 100;

export interface LiveRoom {
  room: string;
  online: number;
}

/** The lobby's list of live rooms: rooms with at least one viewer on this server. */
@Controller('api')
export class LiveRoomsController {
  constructor(private readonly rooms: RoomService) {}

  @Get('rooms')
  @Header('Cache-Control', 'no-store')
  list(): { rooms: LiveRoom[]; total: number } {
    const live: LiveRoom[] = [];
    for (const room of this.rooms.rooms) live.push({ room, online: this.rooms.onlineIn(room) });
    live.sort((a, b) => b.online - a.online || (a.room < b.room ? -1 : a.room > b.room ? 1 : 0));
    return { rooms: live.slice(0, MAX_LISTED), total: live.length };
  }
}
