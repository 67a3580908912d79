/**
 * The close codes the server passes to ws.close(), with the reason a client should act on.
 * 1009 (a frame over MAX_PAYLOAD) is not among them: ws sends it by itself, given
 * maxPayload. PROTOCOL.md lists every code a client can see.
 */
export const CloseCode = {
  /** Heartbeat timeout: nothing heard from the client. Reconnecting is fine. */
  NORMAL: 1000,
  /** Too many RATE_LIMITED refusals: a client that keeps flooding must not reconnect in a loop. */
  POLICY_VIOLATION: 1008,
  /** Server shutting down after flushing pending batches: reconnect elsewhere or later. */
  SERVICE_RESTART: 1012,
  /** Slow consumer: too many unsent bytes for too long. Reconnect with backoff. */
  TRY_AGAIN_LATER: 1013,
} as const;
