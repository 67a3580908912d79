import { Logger, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { ReplayService } from '../batch/replay.service.js';
import { Broker } from '../broker/broker.js';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { BAD_FRAME_EVENT, envelope, UNKNOWN_TYPE_EVENT } from '../protocol/envelope.js';
import { Presence } from '../presence/presence.js';
import { RoomService } from '../rooms/room.service.js';
import { CommentRateGuard, MembershipRateGuard } from './rate-limit.guards.js';
import { CommentMessage, JoinMessage, RoomMessage } from './messages.js';
import { CommentIngest } from './comment-ingest.js';
import { ProtocolError } from './protocol-error.js';
import { ProtocolExceptionFilter } from './protocol-exception.filter.js';
import { type UpgradeRequest, VIEWER } from './upgrade-verifier.js';
import { Connections } from './connections.service.js';
import { DanmakuEvents } from '../events/danmaku-events.js';
import { UserConnections } from '../user-push/user-connections.service.js';
import { InputValidationPipe } from '../validation/input-validation.pipe.js';

/** The viewers' socket: JOIN, LEAVE, PING and COMMENT over `{type, data}` frames. */
@WebSocketGateway({ path: '/connect' })
@UseFilters(ProtocolExceptionFilter)
@UsePipes(InputValidationPipe)
export class DanmakuGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('Gateway');

  constructor(
    private readonly connections: Connections,
    private readonly rooms: RoomService,
    private readonly broker: Broker,
    private readonly presence: Presence,
    private readonly replays: ReplayService,
    private readonly events: DanmakuEvents,
    private readonly config: DanmakuConfig,
    private readonly users: UserConnections,
    private readonly ingest: CommentIngest,
  ) {}

  handleConnection(ws: WebSocket, request: UpgradeRequest): void {
    const connection = this.connections.open(ws, request[VIEWER]?.user);
    this.rooms.connect(connection);
    this.users.add(connection);
    // Any frame or pong proves the client alive (see HeartbeatService).
    const touch = () => (connection.lastSeen = Date.now());
    ws.on('message', touch);
    ws.on('pong', touch);
  }

  handleDisconnect(ws: WebSocket): void {
    const connection = this.connections.find(ws);
    if (!connection) return;
    for (const room of connection.rooms) this.events.emitLeft({ connectionId: connection.id, user: connection.user, room });
    this.rooms.disconnect(connection);
    this.users.remove(connection);
  }

  @SubscribeMessage('PING')
  ping() {
    return envelope('PONG', {});
  }

  @SubscribeMessage('JOIN')
  @UseGuards(MembershipRateGuard)
  async join(@ConnectedSocket() ws: WebSocket, @MessageBody() message: JoinMessage) {
    const member = this.connections.of(ws);
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
    return envelope('JOINED', { room, seq, ...(epoch === undefined ? {} : { epoch }), online, ...(gap ? { gap: true } : {}) });
  }

  @SubscribeMessage('LEAVE')
  @UseGuards(MembershipRateGuard)
  leave(@ConnectedSocket() ws: WebSocket, @MessageBody() { room }: RoomMessage) {
    const member = this.connections.of(ws);
    if (this.rooms.leave(member, room)) this.events.emitLeft({ connectionId: member.id, user: member.user, room });
    return envelope('LEFT', { room });
  }

  @SubscribeMessage('COMMENT')
  @UseGuards(CommentRateGuard)
  comment(@ConnectedSocket() ws: WebSocket, @MessageBody() message: CommentMessage) {
    return this.ingest.accept(ws, message);
  }

  @SubscribeMessage(BAD_FRAME_EVENT)
  badFrame(@MessageBody() { reason }: { reason: string }) {
    throw new ProtocolError('BAD_FRAME', reason);
  }

  @SubscribeMessage(UNKNOWN_TYPE_EVENT)
  unknownType(@MessageBody() { type }: { type: string }) {
    throw new ProtocolError('UNKNOWN_TYPE', `unknown message type ${JSON.stringify(type)}`, { ref: type });
  }
}
