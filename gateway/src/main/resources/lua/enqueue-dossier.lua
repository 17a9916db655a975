-- Enqueues one dossier atomically: idempotency check, applicant rate limit, dossier code, stream entry, queued
-- receipt. Prefixed with gcra.lua when loaded. The applicant limit is checked after the idempotency check, so a
-- replayed retry never spends the applicant's quota.
-- Being one script, it is all-or-nothing and serialised across every gateway instance sharing this Redis:
-- concurrent retries of one Idempotency-Key yield exactly one dossier, and no two dossiers share a code.
-- The field names of the stream entry and of the receipt come from Java (StreamEntry, QueuedReceipt), and so does
-- the code format (DossierCode): this script only adds the code it issues and the entry id.
--
-- KEYS[1] idempotency record ("" when the request has no Idempotency-Key)
-- KEYS[2] daily sequence of the receiving unit      KEYS[3] dossier stream      KEYS[4] queued receipt
-- KEYS[5] applicant rate-limit key ("" when applicant limits are off)
-- ARGV[1] SHA-256 of the body   ARGV[2] dossier id   ARGV[3] code prefix "<receiving unit>-YYMMDD"
-- ARGV[4] code format (prefix, sequence)   ARGV[5] idempotency TTL (s)   ARGV[6] receipt TTL (s)
-- ARGV[7] received-at   ARGV[8] expected result date
-- ARGV[9] applicant limit emission interval (ms)   ARGV[10] applicant limit burst
-- ARGV[11] name of the code field (stream entry and receipt)   ARGV[12] name of the entry-id field (receipt)
-- ARGV[13] number n of stream entry fields, then n name/value pairs, then the receipt's name/value pairs
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
  local decision = gcra(KEYS[5], tonumber(ARGV[9]), tonumber(ARGV[10]))
  if decision[1] == 0 then
    return {'limited', decision[2], decision[3], decision[4]}
  end
end

local seq = redis.call('INCR', KEYS[2])
if seq == 1 then
  redis.call('EXPIRE', KEYS[2], 172800)
end
local code = string.format(ARGV[4], ARGV[3], seq)

local entryFields = 2 * tonumber(ARGV[13])
local xadd = {KEYS[3], '*', ARGV[11], code}
for i = 14, 13 + entryFields do
  xadd[#xadd + 1] = ARGV[i]
end
local entry = redis.call('XADD', unpack(xadd))

local receipt = {KEYS[4], ARGV[11], code, ARGV[12], entry}
for i = 14 + entryFields, #ARGV do
  receipt[#receipt + 1] = ARGV[i]
end
redis.call('HSET', unpack(receipt))
redis.call('EXPIRE', KEYS[4], ARGV[6])

if idem ~= '' then
  redis.call('HSET', idem, 'hash', ARGV[1], 'id', ARGV[2], 'code', code, 'receivedAt', ARGV[7],
    'expectedResultBy', ARGV[8])
  redis.call('EXPIRE', idem, ARGV[5])
end
return {'accepted', ARGV[2], code, ARGV[7], ARGV[8]}
