/**
 * The Lua scripts the Redis broker runs. Each is ONE round trip and runs atomically, and
 * every key it touches carries the room's hash tag (see RedisKeys), so they run
 * unchanged on one Redis or on a Redis Cluster shard.
 */

/**
 * Numbers, keeps and delivers the comments of one publish.
 * KEYS: seq, history, channel (declared as a key so a cluster routes by its slot).
 * ARGV: publish command (PUBLISH or SPUBLISH), history size, key ttl (s), room field,
 *       priority flags, then head and tail of each item (see itemAroundSeq).
 * Returns the first seq.
 */
export const PUBLISH_SCRIPT = `
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
redis.call(ARGV[1], KEYS[3], ARGV[4] .. '\\30' .. string.format('%d', first) .. '\\30' .. ARGV[5] .. '\\30' .. table.concat(items, '\\30'))
return first
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
 * The kept items after `since`, with the same rules as HistoryRing.since.
 * KEYS: seq, history. ARGV: since. Returns [lastSeq, gap (0/1), items].
 */
export const REPLAY_SCRIPT = `
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local since = tonumber(ARGV[1])
local size = math.min(redis.call('LLEN', KEYS[2]), last)
local kept = size
local gap = 1
if since <= last then
  local wanted = last - since
  kept = math.min(wanted, size)
  if kept == wanted then gap = 0 end
end
local items = {}
if kept > 0 then items = redis.call('LRANGE', KEYS[2], -kept, -1) end
return {last, gap, items}
`;
