import { Injectable } from '@nestjs/common';

/** Users a moderator has muted, per room. */
@Injectable()
export class MuteList {
  private readonly muted = new Map<string, Set<string>>();

  mute(room: string, user: string): void {
    let users = this.muted.get(room);
    if (!users) this.muted.set(room, (users = new Set()));
    users.add(user);
  }

  isMuted(room: string | null, user: string | undefined): boolean {
    return room !== null && user !== undefined && (this.muted.get(room)?.has(user) ?? false);
  }
}
