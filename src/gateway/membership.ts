import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { ReplayService } from '../batch/replay.service.js';
import { Broker } from '../broker/broker.js';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { DanmakuEvents } from '../events/danmaku-events.js';
import { Presence } from '../presence/presence.js';
import { type Envelope, envelope } from '../protocol/envelope.js';
import { RoomService } from '../rooms/room.service.js';
import { Connections } from './connections.service.js';
import type { JoinMessage, RoomMessage } from './messages.js';
import { ProtocolError } from './protocol-error.js';

/** What JOINED answers a JOIN with. */
export interface JoinedData {
  room: string;
  seq: number;
  epoch?: string;
  online: number;
  gap?: true;
}

/**
 * A checked JOIN's and LEAVE's way to their answers, for both ways in (DirectMessages, and
 * the gateway's Nest handlers): the room limit, membership, the replay from `since`, the
 * events and presence.
 */
@Injectable()
export class Membership {
  constructor(
    private readonly connections: Connections,
    private readonly rooms: RoomService,
    private readonly broker: Broker,
    private readonly presence: Presence,
    private readonly replays: ReplayService,
    private readonly events: DanmakuEvents,
    private readonly config: DanmakuConfig,
  ) {}

  async join(client: WebSocket, message: JoinMessage): Promise<Envelope<JoinedData>> {
    const member = this.connections.of(client);
    const { room, since, epoch: knownEpoch } = message;
    if (!member.rooms.has(room) && member.rooms.size >= this.config.MAX_ROOMS_PER_CONN) {
      throw new ProtocolError('ROOM_LIMIT', `at most ${this.config.MAX_ROOMS_PER_CONN} rooms per connection`);
    }
    // Joined before the history is read, so nothing published in between is missed.
    const joined = this.rooms.join(member, room);
    const liveFrom = joined && since !== undefined ? this.replays.liveFrom(room) : undefined;
    if (joined) this.events.emitJoined({ connectionId: member.id, user: member.user, room });
    let seq: number;
    let epoch: string | undefined;
    let gap = false;
    try {
      // A member already in the room has been receiving it live: nothing to replay.
      if (since === undefined || !joined) {
        ({ seq, epoch } = await this.broker.head(room));
      } else {
        const replay = await this.broker.replay(room, since, knownEpoch);
        const complete = this.replays.sendTo(member, room, replay, liveFrom);
        seq = replay.lastSeq;
        epoch = replay.epoch;
        gap = replay.gap || !complete;
      }
    } catch (error) {
      // Refused (broker down): the member must not stay in a room it was told it did not join.
      if (joined && this.rooms.leave(member, room)) this.events.emitLeft({ connectionId: member.id, user: member.user, room });
      throw error;
    }
    const online = await this.presence.online(room);
    return envelope('JOINED', { room, seq, ...(epoch === undefined ? {} : { epoch }), online, ...(gap ? { gap: true as const } : {}) });
  }

  leave(client: WebSocket, { room }: RoomMessage): Envelope<{ room: string }> {
    const member = this.connections.of(client);
    if (this.rooms.leave(member, room)) this.events.emitLeft({ connectionId: member.id, user: member.user, room });
    return envelope('LEFT', { room });
  }
}
