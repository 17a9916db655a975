-- Generic cell rate algorithm (GCRA) on one key, with Redis's own clock so every gateway instance agrees.
-- Admits `burst` requests at once from idle, then one every `interval_ms`. The key holds the theoretical
-- arrival time (TAT) in ms and expires when the bucket is full again, so idle keys cost no memory.
-- A decision is {allowed (1/0), remaining, retry_after_ms, reset_ms}.
local function gcra_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The decision on one key without taking anything, and the TAT that taking it would store.
local function gcra_peek(key, interval_ms, burst, now)
  local tolerance = interval_ms * burst
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then
    tat = now
  end
  local new_tat = tat + interval_ms
  if new_tat - tolerance > now then
    return {0, 0, math.ceil(new_tat - tolerance - now), math.ceil(tat - now)}, new_tat
  end
  return {1, math.floor((tolerance - (new_tat - now)) / interval_ms), 0, math.ceil(new_tat - now)}, new_tat
end

-- Takes an admitted request's share: stores the TAT gcra_peek returned.
local function gcra_take(key, new_tat, now)
  redis.call('SET', key, tostring(new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
end

local function gcra(key, interval_ms, burst)
  local now = gcra_now()
  local decision, new_tat = gcra_peek(key, interval_ms, burst, now)
  if decision[1] == 1 then
    gcra_take(key, new_tat, now)
  end
  return decision
end

-- Gives back one request's share (a take that turned out to be a replay or a conflict): the TAT moves back by one
-- interval, never before now. Returns 1 when something was given back.
local function gcra_refund(key, interval_ms)
  local now = gcra_now()
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
