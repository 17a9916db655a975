-- Enqueues one dossier atomically: idempotency check, applicant rate limit, dossier code, stream entry, queued
-- receipt. Prefixed with gcra.lua when loaded. The applicant limit is checked after the idempotency check, so a
-- replayed retry never spends the applicant's quota.
-- Being one script, it is all-or-nothing and serialised across every gateway instance sharing this Redis:
-- concurrent retries of one Idempotency-Key yield exactly one dossier, and no two dossiers share a code.
--
-- KEYS[1] idempotency record ("" when the request has no Idempotency-Key)
-- KEYS[2] daily sequence of the receiving unit      KEYS[3] dossier stream      KEYS[4] queued receipt
-- KEYS[5] applicant rate-limit key ("" when applicant limits are off)
-- ARGV[1] SHA-256 of the body   ARGV[2] dossier id   ARGV[3] code prefix "<receiving unit>-YYMMDD"
-- ARGV[4] idempotency TTL (s)   ARGV[5] receipt TTL (s)   ARGV[6] received-at   ARGV[7] client id
-- ARGV[8] payload   ARGV[9] procedure code   ARGV[10] receiving unit   ARGV[11] handling agency
-- ARGV[12] channel   ARGV[13] expected result date   ARGV[14] idempotency key   ARGV[15] applicant hash
-- ARGV[16] applicant limit emission interval (ms)   ARGV[17] applicant limit burst
--
-- Returns {"accepted"|"duplicate", id, code, receivedAt, expectedResultBy}, {"conflict", id}
-- or {"limited", remaining, retry_after_ms, reset_ms}.
local idem = KEYS[1]
if idem ~= '' then
  local seen = redis.call('HMGET', idem, 'hash', 'id', 'code', 'receivedAt', 'expectedResultBy')
  if seen[1] then
    if seen[1] == ARGV[1] then
      return {'duplicate', seen[2], seen[3], seen[4], seen[5]}
    end
    return {'conflict', seen[2]}
  end
end

if KEYS[5] ~= '' then
  local decision = gcra(KEYS[5], tonumber(ARGV[16]), tonumber(ARGV[17]))
  if decision[1] == 0 then
    return {'limited', decision[2], decision[3], decision[4]}
  end
end

-- Circular 01/2018 gives XXXX four digits; past 9,999 in a day the number simply widens (10000, 10001...):
-- codes stay unique and ordered, and the day never rejects a dossier.
local seq = redis.call('INCR', KEYS[2])
if seq == 1 then
  redis.call('EXPIRE', KEYS[2], 172800)
end
local code = string.format('%s-%04d', ARGV[3], seq)

local entry = redis.call('XADD', KEYS[3], '*',
  'id', ARGV[2], 'code', code, 'client', ARGV[7], 'receivedAt', ARGV[6], 'idemKey', ARGV[14], 'payload', ARGV[8])

redis.call('HSET', KEYS[4], 'code', code, 'receivedAt', ARGV[6], 'client', ARGV[7], 'procedureCode', ARGV[9],
  'receivingUnit', ARGV[10], 'handlingAgency', ARGV[11], 'channel', ARGV[12], 'expectedResultBy', ARGV[13],
  'entry', entry, 'applicantHash', ARGV[15])
redis.call('EXPIRE', KEYS[4], ARGV[5])

if idem ~= '' then
  redis.call('HSET', idem, 'hash', ARGV[1], 'id', ARGV[2], 'code', code, 'receivedAt', ARGV[6],
    'expectedResultBy', ARGV[13])
  redis.call('EXPIRE', idem, ARGV[4])
end
return {'accepted', ARGV[2], code, ARGV[6], ARGV[13]}
