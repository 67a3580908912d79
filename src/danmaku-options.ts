import type { ConfigurableModuleAsyncOptions, ModuleMetadata, Type } from '@nestjs/common';
import type { Broker } from './broker/broker.js';
import type { DanmakuSettings } from './config/danmaku-settings.js';
import type { ViewerAuthenticator } from './gateway/viewer-authenticator.js';
import type { CommentFilter } from './moderation/comment-filter.js';

/**
 * What a host application plugs in. Each class is instantiated in the inner module that
 * uses it, which also imports the `imports` below and the core module holding `providers`.
 */
export interface DanmakuExtensions {
  /** Extra comment filters, run in this order after the built-in ones. */
  filters?: Type<CommentFilter>[];
  /** Turns an upgrade request into a viewer (default: the JWT rules of the protocol). */
  authenticator?: Type<ViewerAuthenticator>;
  /** Replaces the broker (default: in memory). */
  broker?: Type<Broker>;
  /** Words for the built-in sensitive-word filter, besides SENSITIVE_WORDS_FILE. */
  sensitiveWords?: string[];
  /** Modules the extension classes need. */
  imports?: ModuleMetadata['imports'];
  /**
   * Providers the extension classes need, e.g. a mute-list store. Exported to the host
   * app, which injects the same instances. They may inject the host's `imports` and
   * DanmakuConfig.
   */
  providers?: ModuleMetadata['providers'];
}

interface DanmakuMounting {
  /** Mounts every HTTP route and the socket under this path, e.g. 'live' → /live/connect. */
  routePrefix?: string;
  /** Serve the room page at / (or /<prefix>/). Default true. */
  roomPage?: boolean;
  /**
   * Whether the host app's modules see DanmakuEvents, SensitiveWordFilter, the Broker … without
   * importing DanmakuModule. Default true. The service's own modules never rely on it.
   */
  isGlobal?: boolean;
}

export interface DanmakuModuleOptions extends DanmakuExtensions, DanmakuMounting {
  /** Environment-variable names and values, or the DanmakuConfig validateConfig returned. */
  settings?: DanmakuSettings;
}

/**
 * The settings from a factory (`useFactory` with `inject` and `imports`, e.g. reading
 * ConfigService) or from a class with a `create()` method (`useClass`, `useExisting`).
 */
export interface DanmakuModuleAsyncOptions
  extends ConfigurableModuleAsyncOptions<DanmakuSettings>,
    DanmakuExtensions,
    DanmakuMounting {}
