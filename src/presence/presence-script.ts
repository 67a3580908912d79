/**
 * Reports this process's member count of a room and answers the room's total over every
 * live process, in ONE atomic round trip. Each process's count expires `ttl` ms after its
 * last report (a dead process's members vanish); the total is kept as a running sum in
 * field '#', so a report costs O(log processes), not a sum over them. Time is Redis's own
 * clock. Both keys carry the room's hash tag (see RedisKeys): it runs unchanged on one
 * Redis or on a Redis Cluster shard.
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
