import { type INestApplicationContext, Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { DanmakuConfig } from '../config/danmaku-config.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { DANMAKU_ROUTE_PREFIX } from '../core/danmaku-tokens.js';
import { applyPerMessageDeflate, PER_MESSAGE_DEFLATE } from '../sockets/socket-internals.js';
import { type ParsedMessage, parseEnvelope } from './envelope-parser.js';
import { UpgradeVerifier } from './upgrade-verifier.js';
import { DirectMessages } from './direct-messages.js';
import { Connections } from './connections.service.js';

interface Dispatch {
  connections: Connections;
  fanOut: FanOutService;
  /** Undefined while DirectMessages is off: every frame goes to the gateway. */
  direct: DirectMessages | undefined;
}

/**
 * Nest's ws adapter with the protocol's envelope parser and the options that come from
 * configuration: MAX_PAYLOAD (ws closes 1009 above it, also once inflated), the upgrade
 * check, and permessage-deflate unless COMPRESSION=off.
 *
 * Messages are dispatched with one plain listener per connection instead of the base
 * class's per-connection RxJS chain (fromEvent, share, takeUntil, mergeMap): with tens of
 * thousands of mostly idle viewers that chain was most of a connection's memory
 * (BENCHMARKS.md). Handlers still run through Nest's guards, pipes and filters, except
 * that PING, JOIN, LEAVE and COMMENT frames go to DirectMessages while it is enabled.
 */
export class DanmakuWsAdapter extends WsAdapter {
  private readonly dispatchLogger = new Logger('DanmakuWsAdapter');
  private services: Dispatch | undefined;

  constructor(private readonly app: INestApplicationContext) {
    super(app, { messageParser: parseEnvelope });
  }

  override create(port: number, options: Record<string, unknown> & { path?: string }) {
    const prefix = this.app.get<string>(DANMAKU_ROUTE_PREFIX);
    const config = this.app.get(DanmakuConfig);
    const compress = config.COMPRESSION === 'deflate';
    const server = super.create(port, {
      ...options,
      // Mounted with the HTTP routes: /connect, or /<prefix>/connect.
      path: prefix ? `/${prefix}${options.path ?? ''}` : options.path,
      maxPayload: config.MAX_PAYLOAD,
      verifyClient: this.app.get(UpgradeVerifier).verify,
      perMessageDeflate: compress ? PER_MESSAGE_DEFLATE : false,
    }) as WebSocketServer;
    if (compress) applyPerMessageDeflate(server);
    return server;
  }

  /**
   * A connection's errors are what its client sent (bad UTF-8, a frame over MAX_PAYLOAD)
   * or its network did: ws closes it with the matching code, and one line at debug level
   * says why. At ERROR with a stack, any client could flood the log.
   */
  override bindErrorHandler<T extends { on(event: string, listener: (...args: any[]) => void): unknown }>(server: T): T {
    server.on('connection', (client: WebSocket) =>
      client.on('error', (error: Error & { code?: string }) =>
        this.dispatchLogger.debug(`connection closed on a client error: ${error.code ?? ''} ${error.message}`),
      ),
    );
    server.on('error', (error: Error) => this.dispatchLogger.error(error));
    return server;
  }

  override bindMessageHandlers(
    client: WebSocket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const { direct } = this.dispatch();
    client.on('message', (data: RawData, isBinary: boolean) => {
      // The parser tells text (a string) from binary (a Buffer) the way ws's events do.
      const message = this.messageParser(isBinary ? data : data.toString()) as ParsedMessage;
      if (direct?.take(client, message)) return;
      this.handle(client, handlers, transform, message);
    });
  }

  /** The services every connection's dispatch uses, looked up once (a join storm opens thousands a second). */
  private dispatch(): Dispatch {
    if (this.services) return this.services;
    const direct = this.app.get(DirectMessages);
    return (this.services = {
      connections: this.app.get(Connections),
      fanOut: this.app.get(FanOutService),
      direct: direct.enabled ? direct : undefined,
    });
  }

  /** Runs the gateway's handler for the message through Nest's guards, pipes and filters, and answers. */
  private handle(client: WebSocket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>, message: ParsedMessage): void {
    const handler = handlers.find((candidate) => candidate.message === message.event);
    if (!handler) return;
    const failed = (error: unknown) => this.dispatchLogger.error(error);
    let result: unknown;
    try {
      result = handler.callback(message.data, message.event);
    } catch (error) {
      return failed(error);
    }
    const { connections, fanOut } = this.dispatch();
    const reply = (response: unknown) => {
      const connection = connections.find(client);
      if (response !== undefined && response !== null && connection) fanOut.sendTo(connection, JSON.stringify(response));
    };
    transform(result).subscribe({ next: reply, error: failed });
  }
}
