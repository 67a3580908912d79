/** The public API for apps that import the service (see docs/extending.md). */
export { DanmakuModule } from './danmaku.module.js';
export type { DanmakuModuleAsyncOptions, DanmakuModuleOptions, DanmakuExtensions } from './danmaku-options.js';
export type { DanmakuSettings } from './config/danmaku-settings.js';
export { DanmakuConfig } from './config/danmaku-config.js';
export { DanmakuWsAdapter } from './gateway/danmaku-ws.adapter.js';
export { ViewerAuthenticator, type Viewer } from './gateway/viewer-authenticator.js';
export { JwtViewerAuthenticator } from './gateway/jwt-viewer-authenticator.js';
export {
  accept,
  rewrite,
  reject,
  COMMENT_FILTERS,
  CommentRejectedError,
  type CommentDecision,
  type CommentFilter,
} from './moderation/comment-filter.js';
export type { CandidateComment, CommentContext, CommentOrigin } from './protocol/candidate-comment.js';
export { SensitiveWordFilter } from './moderation/sensitive-words/sensitive-word.filter.js';
export { SensitiveWordMatcher } from './moderation/sensitive-words/sensitive-word-matcher.js';
export { DanmakuEvents } from './events/danmaku-events.js';
export type {
  CommentAcceptedEvent,
  CommentRejectedEvent,
  SlowConsumerEvent,
  ViewerRoomEvent,
} from './events/danmaku-events.js';
export { Broker, type BrokerHealth, type Delivery, type Published, type Replay, type RoomHead } from './broker/broker.js';
export { MemoryBroker } from './broker/memory-broker.js';
export { Presence } from './presence/presence.js';
export { PublishService, type CommentInput } from './publish/publish.service.js';
export { RoomService } from './rooms/room.service.js';
