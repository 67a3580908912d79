import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { RoomService } from '../rooms/room.service.js';
import { Presence } from './presence.js';

/** Counts of this process alone: the default, and the choice when nothing is shared. */
@Injectable()
export class LocalPresence extends Presence {
  readonly changed$: Observable<string>;

  constructor(private readonly rooms: RoomService) {
    super();
    this.changed$ = rooms.changed$.asObservable();
  }

  onlineIn(room: string): number {
    return this.rooms.onlineIn(room);
  }

  async online(room: string): Promise<number> {
    return this.rooms.onlineIn(room);
  }
}
