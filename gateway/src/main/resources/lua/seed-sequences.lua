-- Seeds one partition's daily sequences (PartitionSeeder) after Redis came back without them, then marks the partition
-- seeded. KEYS[1] the partition's epoch marker, KEYS[2] its seeded floors (PartitionKeys#seededFloors), then the daily
-- sequence keys of its units (all in its hash slot); ARGV[1] the sequences' TTL (s), ARGV[2] what the marker holds
-- (when and by whom it was set: for operators), then per sequence key (KEYS[i], ARGV[i]) the highest number PostgreSQL
-- holds for that unit and day (the counter's value, not the code's).
-- A counter is only ever raised: one that already moved on (another gateway seeded and numbered meanwhile) keeps its
-- value. A raised counter's value is also its floor: the numbers up to it that PostgreSQL does not hold were queued in
-- the data Redis lost, and no store holds them now (the look-up by code must not call them received: IssuedCodes).
-- The marker is set last and only if absent, without expiry. Returns how many counters were raised.
local floors = KEYS[2]
local raised = 0
for i = 3, #KEYS do
  local last = tonumber(ARGV[i])
  if tonumber(redis.call('GET', KEYS[i]) or '0') < last then
    if redis.call('TTL', KEYS[i]) > 0 then
      redis.call('SET', KEYS[i], last, 'KEEPTTL')
    else
      redis.call('SET', KEYS[i], last, 'EX', ARGV[1])
    end
    if tonumber(redis.call('HGET', floors, KEYS[i]) or '0') < last then
      redis.call('HSET', floors, KEYS[i], last)
    end
    raised = raised + 1
  end
end
if raised > 0 then
  redis.call('EXPIRE', floors, ARGV[1])
end
redis.call('SET', KEYS[1], ARGV[2], 'NX')
return raised
