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
import { BAD_FRAME_EVENT, PONG, UNKNOWN_TYPE_EVENT } from '../protocol/envelope.js';
import { RoomService } from '../rooms/room.service.js';
import { CommentRateGuard, MembershipRateGuard } from './rate-limit.guards.js';
import { CommentMessage, JoinMessage, RoomMessage } from './messages.js';
import { CommentIngest } from './comment-ingest.js';
import { Membership } from './membership.js';
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
    private readonly events: DanmakuEvents,
    private readonly users: UserConnections,
    private readonly membership: Membership,
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
    return PONG;
  }

  @SubscribeMessage('JOIN')
  @UseGuards(MembershipRateGuard)
  join(@ConnectedSocket() ws: WebSocket, @MessageBody() message: JoinMessage) {
    return this.membership.join(ws, message);
  }

  @SubscribeMessage('LEAVE')
  @UseGuards(MembershipRateGuard)
  leave(@ConnectedSocket() ws: WebSocket, @MessageBody() message: RoomMessage) {
    return this.membership.leave(ws, message);
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
