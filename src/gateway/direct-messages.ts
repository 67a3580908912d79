import { Injectable, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import type { WebSocket } from 'ws';
import { DanmakuConfig } from '../config/danmaku-config.js';
import type { Connection } from '../connections/connection.js';
import type { TokenBucket } from '../connections/token-bucket.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { compileDtoCheck, type DtoCheck } from '../publish/dto-check.js';
import { type Envelope, PONG } from '../protocol/envelope.js';
import { InputValidationPipe } from '../validation/input-validation.pipe.js';
import { CommentIngest } from './comment-ingest.js';
import { Connections } from './connections.service.js';
import type { ParsedMessage } from './envelope-parser.js';
import { Membership } from './membership.js';
import { CommentMessage, JoinMessage, RoomMessage } from './messages.js';
import { ProtocolExceptionFilter } from './protocol-exception.filter.js';
import { COMMENT_REFUSAL, MEMBERSHIP_REFUSAL, takeToken } from './rate-limit.guards.js';

/** One message type's steps, as DanmakuGateway's handler for it and its decorators take them. */
interface Route {
  /** The rate guard's bucket and refusal; none for PING. */
  limit?: { bucketOf(connection: Connection): TokenBucket; refusal: string };
  /** The @MessageBody() DTO and its compiled check; none for PING. */
  body?: { dto: Type<object>; check: DtoCheck<object> };
  answer(client: WebSocket, message: any): Envelope | Promise<Envelope>;
}

/**
 * PING, JOIN, LEAVE and COMMENT, the frames a join storm or a comment storm is made of,
 * answered without Nest's per-message guard, pipe and RxJS chain: those cost most of a
 * JOIN's and a COMMENT's server time (BENCHMARKS.md). Every step is the one the gateway's
 * handler and its decorators take, in their order, with their answers: the rate token
 * (CommentRateGuard, MembershipRateGuard), the body checked by the DTO's own
 * class-validator rules (dto-check.ts; a body they refuse goes through the
 * InputValidationPipe itself, so its 400 becomes the same BAD_ROOM or BAD_COMMENT), the
 * handler's service (Membership, CommentIngest), then its answer, or
 * ProtocolExceptionFilter's ERROR for whatever was thrown.
 *
 * Like the direct publish route it stays off when the app has global guards, pipes or
 * interceptors (they would apply to the gateway's handlers), and with DIRECT_PUBLISH=false:
 * every frame then goes through DanmakuGateway. A type whose DTO has rules the compiled
 * check cannot reproduce goes through the gateway alone.
 */
@Injectable()
export class DirectMessages implements OnApplicationBootstrap {
  private readonly routes = new Map<string, Route>();
  private readonly pipe = new InputValidationPipe();

  constructor(
    private readonly appConfig: ApplicationConfig,
    private readonly config: DanmakuConfig,
    private readonly connections: Connections,
    private readonly membership: Membership,
    private readonly comments: CommentIngest,
    private readonly fanOut: FanOutService,
    private readonly errors: ProtocolExceptionFilter,
  ) {}

  onApplicationBootstrap(): void {
    const app = this.appConfig;
    if (!this.config.DIRECT_PUBLISH) return;
    if (app.getGlobalGuards().length > 0 || app.getGlobalPipes().length > 0 || app.getGlobalInterceptors().length > 0) return;
    const membershipLimit = { bucketOf: (connection: Connection) => connection.limits.membership, refusal: MEMBERSHIP_REFUSAL };
    this.routes.set('PING', { answer: () => PONG });
    this.add('JOIN', JoinMessage, membershipLimit, (client, message: JoinMessage) => this.membership.join(client, message));
    this.add('LEAVE', RoomMessage, membershipLimit, (client, message: RoomMessage) => this.membership.leave(client, message));
    this.add('COMMENT', CommentMessage, { bucketOf: (connection) => connection.limits.comments, refusal: COMMENT_REFUSAL }, (client, message: CommentMessage) =>
      this.comments.accept(client, message),
    );
  }

  /** Whether any frame type is taken here (from the first one on, for the connection's life). */
  get enabled(): boolean {
    return this.routes.size > 0;
  }

  /** Takes a frame of one of its types and answers it; false for the others, which go to the gateway. */
  take(client: WebSocket, { event, data }: ParsedMessage): boolean {
    const route = this.routes.get(event);
    if (route === undefined) return false;
    const connection = this.connections.find(client);
    // As the rate guards, whose throw for a socket without connection the filter drops.
    if (!connection) return true;
    try {
      if (route.limit && !takeToken(connection, route.limit.bucketOf(connection), route.limit.refusal)) return true;
    } catch (error) {
      this.fail(client, error, event, data);
      return true;
    }
    if (route.body === undefined) {
      void this.run(client, route, undefined, event, data);
      return true;
    }
    const message = route.body.check(data);
    if (message) void this.run(client, route, message, event, data);
    else this.pipe.transform(data, { type: 'body', metatype: route.body.dto }).then(
      (piped: object) => this.run(client, route, piped, event, data),
      (error: unknown) => this.fail(client, error, event, data),
    );
    return true;
  }

  private add<T extends object>(event: string, dto: Type<T>, limit: Route['limit'], answer: (client: WebSocket, message: T) => Envelope | Promise<Envelope>): void {
    let check: DtoCheck<T>;
    try {
      check = compileDtoCheck(dto);
    } catch {
      // Rules the direct check cannot reproduce: the gateway's handler runs them.
      return;
    }
    this.routes.set(event, { limit, body: { dto, check }, answer });
  }

  private async run(client: WebSocket, route: Route, message: object | undefined, event: string, data: Record<string, unknown>): Promise<void> {
    try {
      this.reply(client, await route.answer(client, message));
    } catch (error) {
      this.fail(client, error, event, data);
    }
  }

  private reply(client: WebSocket, answer: Envelope): void {
    const connection = this.connections.find(client);
    if (connection) this.fanOut.sendTo(connection, JSON.stringify(answer));
  }

  private fail(client: WebSocket, error: unknown, event: string, data: Record<string, unknown>): void {
    this.errors.answer(client, error, event, data);
  }
}
