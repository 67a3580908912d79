import { BadRequestException, HttpException, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Admission, RETRY_AFTER_SECONDS } from '../admission/admission.service.js';
import { OverloadedException } from '../admission/overloaded.exception.js';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { DANMAKU_ROUTE_PREFIX } from '../core/danmaku-tokens.js';
import { CommentRejectedError } from '../moderation/comment-filter.js';
import { isValidRoomId } from '../protocol/room-id.js';
import { AdminGuard } from './admin.guard.js';
import { priorityComment } from './admission.guard.js';
import { rejectionBody } from './comment-rejected.filter.js';
import { compileDtoCheck } from './dto-check.js';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf } from './idempotency-key.js';
import { batchAnswer, commentAnswer } from './publish-answers.js';
import { CommentBatchDto } from './dto/comment-batch.dto.js';
import { CommentDto } from './dto/comment.dto.js';
import { type CommentInput, PublishService } from './publish.service.js';
import { readBody } from './read-body.js';

/**
 * Largest body the direct route reads; larger ones go to the Nest route. Below express's
 * default json limit (100 KB), so a host app's limit is never looser here than there.
 */
const DIRECT_BODY_LIMIT = 64 * 1024;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** The comments of a body by the DTOs' own rules, or undefined where the ValidationPipe would answer 400. */
type CommentReader = (body: unknown, batch: boolean) => CommentInput[] | undefined;

interface Target {
  room: string;
  batch: boolean;
}

/**
 * `POST /rooms/:room/comments` and `.../comments/batch`, the routes publishers hit
 * thousands of times a second, answered on the HTTP server itself. Through express,
 * the Nest router, the guard and the ValidationPipe a publish costs about 5× the server
 * CPU it costs here, and still 2× on @nestjs/platform-fastify (bench/publish-path.mjs,
 * BENCHMARKS.md).
 *
 * It takes only the well-formed case and leaves everything else to CommentsController,
 * untouched: another method or path, a query string, a body that is not plain JSON of
 * a known length, a refused admin check or room. Bodies are checked with the rules read
 * from the DTOs' decorators (dto-check.ts), so both routes accept the same bodies; one it
 * has read but cannot accept goes on to Nest already parsed, so every 400 is the
 * ValidationPipe's own.
 * The same PublishService runs either way (filters, events, stats).
 *
 * It skips express middleware and global guards and interceptors for these two routes,
 * so it stays off when the app registers global guards or interceptors, or a global
 * prefix or versioning; DIRECT_PUBLISH=false turns it off outright.
 */
@Injectable()
export class DirectPublishRoute implements OnApplicationBootstrap {
  private readonly logger = new Logger('DirectPublishRoute');
  private readonly base: string;
  private read: CommentReader = () => undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly appConfig: ApplicationConfig,
    private readonly config: DanmakuConfig,
    private readonly guard: AdminGuard,
    private readonly publisher: PublishService,
    private readonly admission: Admission,
    @Inject(DANMAKU_ROUTE_PREFIX) prefix: string,
  ) {
    this.base = prefix ? `/${prefix}/rooms/` : '/rooms/';
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server || !this.config.DIRECT_PUBLISH) return;
    const reason = this.frameworkReason();
    if (reason) {
      this.logger.log(`publishing goes through Nest: ${reason}`);
      return;
    }
    try {
      this.read = commentReader();
    } catch (error) {
      this.logger.log(`publishing goes through Nest: the DTOs cannot be checked directly (${(error as Error).message})`);
      return;
    }
    const listeners = server.listeners('request') as Handler[];
    const framework: Handler = (request, response) => {
      for (const listener of listeners) listener.call(server, request, response);
    };
    server.removeAllListeners('request');
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const target = this.take(request);
      if (target) this.publish(request, response, target, framework);
      else framework(request, response);
    });
  }

  /** Why the host app needs its framework on every route, if it does. */
  private frameworkReason(): string | undefined {
    const app = this.appConfig;
    if (app.getGlobalPrefix()) return 'the app has a global prefix';
    if (app.getVersioning()) return 'the app uses versioning';
    if (app.getGlobalGuards().length > 0 || app.getGlobalRequestGuards().length > 0) return 'the app has global guards';
    if (app.getGlobalInterceptors().length > 0 || app.getGlobalRequestInterceptors().length > 0) {
      return 'the app has global interceptors';
    }
    return undefined;
  }

  /** The room and route of a request this route answers, judged from its head alone. */
  private take(request: IncomingMessage): Target | undefined {
    const url = request.url ?? '';
    if (request.method !== 'POST' || !url.startsWith(this.base) || url.includes('?')) return undefined;
    const headers = request.headers;
    const type = headers['content-type'];
    if (type !== 'application/json' && type?.toLowerCase().replace(/\s/g, '') !== 'application/json;charset=utf-8') return undefined;
    const size = headers['content-length'];
    if (size === undefined || !/^[1-9]\d{0,5}$/.test(size) || Number(size) > DIRECT_BODY_LIMIT) return undefined;
    if (headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return undefined;
    const target = parsePath(url.slice(this.base.length));
    if (!target || !isValidRoomId(target.room)) return undefined;
    try {
      this.guard.authorize(request);
    } catch {
      return undefined;
    }
    return target;
  }

  private publish(request: IncomingMessage, response: ServerResponse, target: Target, framework: Handler): void {
    readBody(request, Number(request.headers['content-length']), (error, raw) => {
      if (error) {
        if (error.type === 'request.aborted') return;
        return answerError(response, new BadRequestException(error.message));
      }
      let body: unknown;
      try {
        body = JSON.parse(raw!.toString('utf8'));
      } catch (parseError) {
        return answerError(response, new BadRequestException((parseError as Error).message));
      }
      this.accept(request, response, target, body, framework).catch((failure: unknown) => this.fail(response, failure));
    });
  }

  private async accept(request: IncomingMessage, response: ServerResponse, target: Target, body: unknown, framework: Handler): Promise<void> {
    const comments = this.read(body, target.batch);
    if (!comments) {
      // Nest answers with the ValidationPipe's 400; body-parser sees the body already read.
      (request as IncomingMessage & { body?: unknown }).body = body;
      return framework(request, response);
    }
    // Only once the body is read: whether the publish is priority is in it.
    const admission = this.admission;
    if (admission.refusing && !admission.admits('rest', comments.every(priorityComment))) {
      return answerOverloaded(response);
    }
    try {
      const key = idempotencyKeyOf(request.headers[IDEMPOTENCY_KEY_HEADER]);
      const receipt = await this.publisher.publishOnce(target.room, comments, key);
      answer(response, 202, target.batch ? batchAnswer(receipt) : commentAnswer(receipt));
    } catch (error) {
      if (error instanceof CommentRejectedError) return answer(response, 422, rejectionBody(error));
      if (error instanceof HttpException) return answerError(response, error);
      this.fail(response, error);
    }
  }

  /** What Nest's exception handler does with an unexpected error: log it, answer 500. */
  private fail(response: ServerResponse, error: unknown): void {
    this.logger.error(error);
    if (!response.headersSent) answer(response, 500, { statusCode: 500, message: 'Internal server error' });
  }
}

function commentReader(): CommentReader {
  const comment = compileDtoCheck(CommentDto);
  const batch = compileDtoCheck(CommentBatchDto);
  return (body, isBatch) => {
    if (isBatch) return batch(body)?.items;
    const one = comment(body);
    return one && [one];
  };
}

/** `<room>/comments` or `<room>/comments/batch`, the room percent-decoded as express does. */
function parsePath(rest: string): Target | undefined {
  const batch = rest.endsWith('/comments/batch');
  const suffix = batch ? '/comments/batch' : '/comments';
  if (!rest.endsWith(suffix)) return undefined;
  const encoded = rest.slice(0, -suffix.length);
  if (encoded.length === 0 || encoded.includes('/')) return undefined;
  try {
    return { room: decodeURIComponent(encoded), batch };
  } catch {
    return undefined;
  }
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

function answer(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': JSON_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(json),
  });
  response.end(json);
}

/**
 * The 429 a storm answers tens of thousands of times a second: OverloadedException's
 * body, serialized once, and no exception (with its stack trace) made per refusal.
 */
const OVERLOADED_BODY = JSON.stringify(new OverloadedException().getResponse());
const OVERLOADED_HEADERS = {
  'Content-Type': JSON_CONTENT_TYPE,
  'Content-Length': Buffer.byteLength(OVERLOADED_BODY),
  'Retry-After': String(RETRY_AFTER_SECONDS),
};

function answerOverloaded(response: ServerResponse): void {
  response.writeHead(429, OVERLOADED_HEADERS);
  response.end(OVERLOADED_BODY);
}

/** The body Nest's exception handler gives an HttpException. */
function answerError(response: ServerResponse, error: HttpException): void {
  const body = error.getResponse();
  answer(response, error.getStatus(), typeof body === 'string' ? { statusCode: error.getStatus(), message: body } : body);
}
