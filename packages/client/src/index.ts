export {
  DanmakuClient,
  type ClientState,
  type CommentInput,
  type DanmakuClientEvents,
  type DanmakuClientOptions,
  type DeliveredPush,
  type ItemContext,
  type JoinedInfo,
  type RoomStatus,
} from './client.js';
export type { BackoffOptions } from './backoff.js';
export { DanmakuError, type ClientErrorCode } from './errors.js';
export type { SocketLike, WebSocketClass } from './socket.js';
export * from './protocol.js';
