import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { RoomService } from '../rooms/room.service.js';

/** At most this many rooms are listed, busiest first. */
const MAX_LISTED = 100;

/**
 * The list is built at most once per this period, whatever the request rate: anyone may
 * ask, and a walk over every room must not be something a client can make the server
 * repeat at will.
 */
export const LIST_REFRESH_MS = 1000;

export class LiveRoom {
  @ApiProperty() room: string;
  @ApiProperty({ description: "Viewers on this server" }) online: number;
}

export class LiveRoomList {
  @ApiProperty({ type: [LiveRoom], description: `The ${MAX_LISTED} busiest rooms at most, busiest first` }) rooms: LiveRoom[];
  @ApiProperty({ description: 'Rooms with viewers' }) total: number;
}

const busiestFirst = (a: LiveRoom, b: LiveRoom) => b.online - a.online || (a.room < b.room ? -1 : a.room > b.room ? 1 : 0);

/** The lobby's list of live rooms: rooms with at least one viewer on this server. */
@ApiTags('room page')
@Controller('api')
export class LiveRoomsController {
  private cached: LiveRoomList | undefined;
  private cachedAt = 0;

  constructor(private readonly rooms: RoomService) {}

  @Get('rooms')
  @ApiOperation({ summary: "The lobby's list of live rooms (refreshed at most once a second)" })
  @ApiOkResponse({ type: LiveRoomList })
  @Header('Cache-Control', 'no-store')
  list(now = Date.now()): LiveRoomList {
    if (this.cached === undefined || now - this.cachedAt >= LIST_REFRESH_MS) {
      this.cached = this.busiest();
      this.cachedAt = now;
    }
    return this.cached;
  }

  /** The MAX_LISTED busiest rooms, kept sorted as the rooms are walked: no sort of every room. */
  private busiest(): LiveRoomList {
    const top: LiveRoom[] = [];
    let total = 0;
    for (const room of this.rooms.rooms) {
      total++;
      const entry = { room, online: this.rooms.onlineIn(room) };
      if (top.length === MAX_LISTED && busiestFirst(entry, top[MAX_LISTED - 1]) >= 0) continue;
      let at = top.length;
      while (at > 0 && busiestFirst(entry, top[at - 1]) < 0) at--;
      top.splice(at, 0, entry);
      if (top.length > MAX_LISTED) top.pop();
    }
    return { rooms: top, total };
  }
}
