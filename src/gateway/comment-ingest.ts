import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { Admission } from '../admission/admission.service.js';
import { PublishService } from '../publish/publish.service.js';
import { type Envelope, envelope } from '../protocol/envelope.js';
import { Connections } from './connections.service.js';
import type { CommentMessage } from './messages.js';
import { OVERLOAD_REFUSAL } from './overload-refusal.js';
import { ProtocolError } from './protocol-error.js';

/** What an ACK answers a COMMENT with. */
export interface AckData {
  cid: string | undefined;
  id: string;
  seq: number;
}

/**
 * A checked COMMENT's way from membership to its ACK, for both ways in (DirectMessages, and
 * DanmakuGateway.comment): membership, admission, the publish, waited for by a close.
 */
@Injectable()
export class CommentIngest {
  constructor(
    private readonly connections: Connections,
    private readonly publisher: PublishService,
    private readonly admission: Admission,
  ) {}

  async accept(client: WebSocket, message: CommentMessage): Promise<Envelope<AckData>> {
    const member = this.connections.of(client);
    if (!member.rooms.has(message.room)) {
      throw new ProtocolError('NOT_JOINED', `join ${JSON.stringify(message.room)} before commenting in it`);
    }
    if (!this.admission.admits('ws', false)) throw OVERLOAD_REFUSAL;
    const [published] = await member.publishing(() =>
      this.publisher.publish(
        message.room,
        [{ text: message.text, color: message.color, mode: message.mode, user: member.user }],
        'websocket',
      ),
    );
    return envelope('ACK', { cid: message.cid, id: published.id, seq: published.seq });
  }
}
