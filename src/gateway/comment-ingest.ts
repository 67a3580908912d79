import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import type { WebSocket } from 'ws';
import { Admission } from '../admission/admission.service.js';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { compileDtoCheck, type DtoCheck } from '../publish/dto-check.js';
import { PublishService } from '../publish/publish.service.js';
import { type Envelope, envelope } from '../protocol/envelope.js';
import { InputValidationPipe } from '../validation/input-validation.pipe.js';
import { Connections } from './connections.service.js';
import { CommentMessage } from './messages.js';
import { OVERLOAD_REFUSAL } from './overload-refusal.js';
import { ProtocolError } from './protocol-error.js';
import { ProtocolExceptionFilter } from './protocol-exception.filter.js';
import { COMMENT_REFUSAL, takeToken } from './rate-limit.guards.js';

const COMMENT = 'COMMENT';

/** What an ACK answers a COMMENT with. */
export interface AckData {
  cid: string | undefined;
  id: string;
  seq: number;
}

/**
 * COMMENT frames, the messages viewers send thousands of a second in a storm, answered
 * without Nest's guard, pipe and RxJS chain for a message: those cost about twice the
 * rest of a comment's way in (bench/publish-path.mjs, BENCHMARKS.md). Every step is the
 * one DanmakuGateway.comment and its decorators take, in their order, with their answers:
 * the rate token (CommentRateGuard), the body checked by the DTO's own class-validator
 * rules (dto-check.ts; a body they refuse goes through the InputValidationPipe itself, so
 * its 400 becomes the same BAD_COMMENT or BAD_ROOM), membership, admission, the publish,
 * then the ACK, or ProtocolExceptionFilter's ERROR for whatever was thrown.
 *
 * Like the direct publish route it stays off when the app has global guards, pipes or
 * interceptors (they would apply to the gateway's handler), and with DIRECT_PUBLISH=false:
 * COMMENT then goes through DanmakuGateway.comment.
 */
@Injectable()
export class CommentIngest implements OnApplicationBootstrap {
  private check: DtoCheck<CommentMessage> | undefined;
  private readonly pipe = new InputValidationPipe();

  constructor(
    private readonly appConfig: ApplicationConfig,
    private readonly config: DanmakuConfig,
    private readonly connections: Connections,
    private readonly publisher: PublishService,
    private readonly admission: Admission,
    private readonly fanOut: FanOutService,
    private readonly errors: ProtocolExceptionFilter,
  ) {}

  onApplicationBootstrap(): void {
    const app = this.appConfig;
    if (!this.config.DIRECT_PUBLISH) return;
    if (app.getGlobalGuards().length > 0 || app.getGlobalPipes().length > 0 || app.getGlobalInterceptors().length > 0) return;
    try {
      this.check = compileDtoCheck(CommentMessage);
    } catch {
      // Rules the direct check cannot reproduce: the gateway's handler runs them.
    }
  }

  /** Whether COMMENT frames are taken here (from the first one on, for the connection's life). */
  get enabled(): boolean {
    return this.check !== undefined;
  }

  /** Takes one COMMENT frame's data (before any pipe: what the client sent) and answers it. */
  take(client: WebSocket, data: Record<string, unknown>): void {
    const connection = this.connections.find(client);
    // As CommentRateGuard, whose throw for a socket without connection the filter drops.
    if (!connection) return;
    try {
      if (!takeToken(connection, connection.limits.comments, COMMENT_REFUSAL)) return;
    } catch (error) {
      return this.fail(client, error, data);
    }
    const message = this.check!(data);
    if (message) void this.publish(client, message, data);
    else this.pipe.transform(data, { type: 'body', metatype: CommentMessage }).then(
      (piped: CommentMessage) => this.publish(client, piped, data),
      (error: unknown) => this.fail(client, error, data),
    );
  }

  /**
   * A checked COMMENT's way from membership to its ACK, for both ways in (here, and
   * DanmakuGateway.comment): membership, admission, the publish, waited for by a close.
   */
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

  private async publish(client: WebSocket, message: CommentMessage, data: Record<string, unknown>): Promise<void> {
    try {
      const ack = await this.accept(client, message);
      const connection = this.connections.find(client);
      if (connection) this.fanOut.sendTo(connection, JSON.stringify(ack));
    } catch (error) {
      this.fail(client, error, data);
    }
  }

  private fail(client: WebSocket, error: unknown, data: Record<string, unknown>): void {
    this.errors.answer(client, error, COMMENT, data);
  }
}
