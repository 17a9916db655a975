-- Generic cell rate algorithm (GCRA) on one key, with Redis's own clock so every gateway instance agrees.
-- Admits `burst` requests at once from idle, then one every `interval_ms`. The key holds the theoretical
-- arrival time (TAT) in ms and expires when the bucket is full again, so idle keys cost no memory.
-- Returns {allowed (1/0), remaining, retry_after_ms, reset_ms}.
local function gcra(key, interval_ms, burst)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local tolerance = interval_ms * burst
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then
    tat = now
  end
  local new_tat = tat + interval_ms
  if new_tat - tolerance > now then
    return {0, 0, math.ceil(new_tat - tolerance - now), math.ceil(tat - now)}
  end
  redis.call('SET', key, tostring(new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
  return {1, math.floor((tolerance - (new_tat - now)) / interval_ms), 0, math.ceil(new_tat - now)}
end

-- Gives back one request's share (a take that turned out to be a replay or a conflict): the TAT moves back by one
-- interval, never before now. Returns 1 when something was given back.
local function gcra_refund(key, interval_ms)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local tat = tonumber(redis.call('GET', key))
  if not tat then
    return 0
  end
  local new_tat = tat - interval_ms
  if new_tat <= now then
    redis.call('DEL', key)
  else
    redis.call('SET', key, tostring(new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
  end
  return 1
end
