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

/**
 * Reports this process's member count of a room and answers the room's total over every
 * live process. Each process's count expires `ttl` ms after its last report (a dead
 * process's members vanish); the total is kept as a running sum in field '#', so a
 * report costs O(log processes), not a sum over them. Time is Redis's own clock.
 * KEYS: counts hash, deadlines zset. ARGV: process id, count, ttl (ms).
 */
export const PRESENCE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
local total = tonumber(redis.call('HGET', KEYS[1], '#') or '0')
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for i = 1, #dead do
  total = total - tonumber(redis.call('HGET', KEYS[1], dead[i]) or '0')
  redis.call('HDEL', KEYS[1], dead[i])
  redis.call('ZREM', KEYS[2], dead[i])
end
local count = tonumber(ARGV[2])
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
total = total + count - old
if count > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], count)
  redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
elseif old > 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
end
if total <= 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 0
end
redis.call('HSET', KEYS[1], '#', total)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return total
`;
