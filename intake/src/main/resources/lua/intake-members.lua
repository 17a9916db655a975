-- The live intake workers: each worker's heartbeat refreshes its expiry in a sorted set (Redis's own clock, so the
-- workers' clocks never matter); expired members are dropped. A worker leaving on purpose removes itself at once.
-- KEYS[1] members   ARGV[1] worker name   ARGV[2] "join" or "leave"   ARGV[3] time to live (ms)
-- Returns the live workers' names.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[2] == 'join' then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], 10 * tonumber(ARGV[3]))
return redis.call('ZRANGE', KEYS[1], 0, -1)
