/**
 * The Lua scripts the Redis broker runs. Each is ONE round trip and runs atomically, and
 * every key it touches carries the room's hash tag (see RedisKeys), so they run
 * unchanged on one Redis or on a Redis Cluster shard.
 */

/**
 * Lua: a new epoch for a room's history, from the server's clock (seconds and
 * microseconds in hex): a Redis that lost the history and starts it again names it anew.
 * Whoever finds the epoch key missing creates it, publish or read alike, so the epoch a
 * viewer is told before a room's first comment stays the room's.
 */
const NEW_EPOCH = `
local function newEpoch()
  local t = redis.call('TIME')
  return string.format('%x%05x', tonumber(t[1]), tonumber(t[2]))
end
`;

/**
 * Numbers, keeps and delivers the comments of one publish.
 * KEYS: seq, history, channel (declared as a key so a cluster routes by its slot), epoch.
 * ARGV: publish command (PUBLISH or SPUBLISH), history size, key ttl (s), room field,
 *       priority flags, then head and tail of each item (see itemAroundSeq).
 * Returns the first seq.
 */
export const PUBLISH_SCRIPT = `${NEW_EPOCH}
local n = (#ARGV - 5) / 2
local last = redis.call('INCRBY', KEYS[1], n)
local first = last - n + 1
local size = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local items = {}
for i = 1, n do
  items[i] = ARGV[4 + 2 * i] .. string.format('%d', first + i - 1) .. ARGV[5 + 2 * i]
end
if size > 0 then
  local from = 1
  if n > size then from = n - size + 1 end
  for i = from, n, 500 do
    redis.call('RPUSH', KEYS[2], unpack(items, i, math.min(i + 499, n)))
  end
  redis.call('LTRIM', KEYS[2], -size, -1)
  redis.call('EXPIRE', KEYS[2], ttl)
end
redis.call('EXPIRE', KEYS[1], ttl)
if redis.call('EXPIRE', KEYS[4], ttl) == 0 then redis.call('SET', KEYS[4], newEpoch(), 'EX', ttl) end
redis.call(ARGV[1], KEYS[3], ARGV[4] .. '\\30' .. string.format('%d', first) .. '\\30' .. ARGV[5] .. '\\30' .. table.concat(items, '\\30'))
return first
`;

/** Lua: the room's epoch (KEYS[epochKey]), created when missing, with ARGV[ttlArg] as its ttl. */
const CURRENT_EPOCH = (epochKey: number, ttlArg: number) => `${NEW_EPOCH}
local epoch = redis.call('GET', KEYS[${epochKey}])
if not epoch then
  epoch = newEpoch()
  redis.call('SET', KEYS[${epochKey}], epoch, 'EX', tonumber(ARGV[${ttlArg}]))
end
`;

/**
 * PUBLISH_SCRIPT at most once per key, the key stored in the same atomic call.
 * KEYS: those of PUBLISH_SCRIPT, then the once key (same hash tag).
 * ARGV: those of PUBLISH_SCRIPT, then the key's ttl (s) and the receipt's tail
 *       (`count id`).
 * Returns [repeat (0/1), receipt]: `firstSeq count id`, the first call's when repeated.
 */
export const PUBLISH_ONCE_SCRIPT = `
local onceKey = KEYS[#KEYS]
local kept = redis.call('GET', onceKey)
if kept then return {1, kept} end
local onceTtl = ARGV[#ARGV - 1]
local receiptTail = ARGV[#ARGV]
local ARGV = {unpack(ARGV, 1, #ARGV - 2)}
local function publish()
${PUBLISH_SCRIPT}
end
local receipt = string.format('%d', publish()) .. ' ' .. receiptTail
redis.call('SET', onceKey, receipt, 'EX', onceTtl)
return {0, receipt}
`;

/**
 * go-push items at most once per key.
 * KEYS: channel, once key. ARGV: publish command, message, key ttl (s), receipt.
 * Returns [repeat (0/1), receipt].
 */
export const PUBLISH_VERBATIM_ONCE_SCRIPT = `
local kept = redis.call('GET', KEYS[2])
if kept then return {1, kept} end
redis.call(ARGV[1], KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[3])
return {0, ARGV[4]}
`;

/**
 * The room's latest seq and epoch.
 * KEYS: seq, epoch. ARGV: key ttl (s). Returns [lastSeq, epoch].
 */
export const HEAD_SCRIPT = `${CURRENT_EPOCH(2, 1)}
return {tonumber(redis.call('GET', KEYS[1]) or '0'), epoch}
`;

/**
 * The kept items after `since`, with the same rules as HistoryRing.since; a `since` of
 * another epoch counts as before everything kept. At most `limit` items (0: no limit),
 * the newest, flagged as a gap when there were more.
 * KEYS: seq, history, epoch. ARGV: since, the caller's epoch ('' for none), key ttl (s), limit.
 * Returns [lastSeq, gap (0/1), items, epoch].
 */
export const REPLAY_SCRIPT = `${CURRENT_EPOCH(3, 3)}
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local since = tonumber(ARGV[1])
if ARGV[2] ~= '' and ARGV[2] ~= epoch then since = -1 end
local size = math.min(redis.call('LLEN', KEYS[2]), last)
local kept = size
local gap = 1
if since <= last then
  local wanted = last - since
  kept = math.min(wanted, size)
  if kept == wanted then gap = 0 end
end
local limit = tonumber(ARGV[4])
if limit > 0 and kept > limit then
  kept = limit
  gap = 1
end
local items = {}
if kept > 0 then items = redis.call('LRANGE', KEYS[2], -kept, -1) end
return {last, gap, items, epoch}
`;
