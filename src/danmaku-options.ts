import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Type } from '@nestjs/common';
import type { Broker } from './broker/broker.js';
import type { DanmakuConfig } from './config/danmaku-config.js';
import type { ViewerAuthenticator } from './gateway/viewer-authenticator.js';
import type { CommentFilter } from './moderation/comment-filter.js';

/**
 * The settings, with the same names, defaults and bounds as the environment variables
 * (one schema, two sources): values are validated by DanmakuConfig's rules at start-up.
 */
export type DanmakuSettings = Partial<{ [K in keyof DanmakuConfig]: DanmakuConfig[K] | string }>;

/** What a host application plugs in. Each class is instantiated inside DanmakuModule. */
export interface DanmakuExtensions {
  /** Extra comment filters, run in this order after the built-in ones. */
  filters?: Type<CommentFilter>[];
  /** Turns an upgrade request into a viewer (default: the JWT rules of the protocol). */
  authenticator?: Type<ViewerAuthenticator>;
  /** Replaces the broker (default: in memory). */
  broker?: Type<Broker>;
  /** Words for the built-in sensitive-word filter, besides SENSITIVE_WORDS_FILE. */
  sensitiveWords?: string[];
  /** Modules the extension classes need (they are instantiated in DanmakuModule's scope). */
  imports?: ModuleMetadata['imports'];
  /** Providers the extension classes need, e.g. a mute-list store. */
  providers?: ModuleMetadata['providers'];
}

export interface DanmakuModuleOptions extends DanmakuExtensions {
  settings?: DanmakuSettings;
  /** Mounts every HTTP route and the socket under this path, e.g. 'live' → /live/connect. */
  routePrefix?: string;
  /** Serve the room page at / (or /<prefix>/). Default true. */
  roomPage?: boolean;
}

export interface DanmakuModuleAsyncOptions extends DanmakuExtensions {
  imports?: ModuleMetadata['imports'];
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** Resolves the settings, e.g. from ConfigService. */
  useFactory: (...args: any[]) => DanmakuSettings | Promise<DanmakuSettings>;
  routePrefix?: string;
  roomPage?: boolean;
}

export const DANMAKU_OPTIONS = Symbol('DANMAKU_OPTIONS');
export const DANMAKU_SETTINGS = Symbol('DANMAKU_SETTINGS');
/** The path prefix every route and the socket are mounted under ('' for none). */
export const DANMAKU_ROUTE_PREFIX = Symbol('DANMAKU_ROUTE_PREFIX');
