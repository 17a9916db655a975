-- Enqueues one dossier atomically in its receiving unit's partition: idempotency check, dossier code, stream entry,
-- queued receipt. Prefixed with dossier-code.lua when loaded. Every key is in the partition's hash slot, so in
-- cluster mode the script runs on one master; being one script it is all-or-nothing and serialised: concurrent
-- retries of one Idempotency-Key yield exactly one dossier, and no two dossiers of a unit and day share a code.
-- The field names of the stream entry and of the receipt come from Java (StreamEntry, QueuedReceipt), and so does
-- the code format (DossierCode): this script only adds the code it issues and the entry id.
--
-- KEYS[1] idempotency record (a placeholder in the slot when the request has no Idempotency-Key)
-- KEYS[2] daily sequence of the receiving unit      KEYS[3] partition stream      KEYS[4] queued receipt
-- ARGV[1] SHA-256 of the body   ARGV[2] dossier id   ARGV[3] code prefix "<receiving unit>-YYMMDD"
-- ARGV[4] code format (prefix, sequence)   ARGV[5] idempotency TTL (s)   ARGV[6] receipt TTL (s)
-- ARGV[7] received-at   ARGV[8] expected result date
-- ARGV[9] "1" when the request has an Idempotency-Key
-- ARGV[10] "replay": only answer a replay (or "absent"), never enqueue; "enqueue": the full script
-- ARGV[11] "1": a replay writes a counter, so that a WAIT after this script also covers the original write
-- ARGV[12] name of the code field (stream entry and receipt)   ARGV[13] name of the entry-id field (receipt)
-- ARGV[14] number n of stream entry fields, then n name/value pairs, then the receipt's name/value pairs
--
-- Returns {"accepted"|"duplicate", id, code, receivedAt, expectedResultBy}, {"conflict", id} or {"absent"}.
local idem = KEYS[1]
local keyed = ARGV[9] == '1'
if keyed then
  local seen = redis.call('HMGET', idem, 'hash', 'id', 'code', 'receivedAt', 'expectedResultBy')
  if seen[1] then
    if seen[1] ~= ARGV[1] then
      return {'conflict', seen[2]}
    end
    if ARGV[11] == '1' then
      redis.call('HINCRBY', idem, 'replays', 1)
    end
    return {'duplicate', seen[2], seen[3], seen[4], seen[5]}
  end
end
if ARGV[10] == 'replay' then
  return {'absent'}
end

local seq = redis.call('INCR', KEYS[2])
if seq == 1 then
  redis.call('EXPIRE', KEYS[2], 172800)
end
local code = string.format(ARGV[4], ARGV[3], queue_sequence(seq))

local entryFields = 2 * tonumber(ARGV[14])
local xadd = {KEYS[3], '*', ARGV[12], code}
for i = 15, 14 + entryFields do
  xadd[#xadd + 1] = ARGV[i]
end
local entry = redis.call('XADD', unpack(xadd))

local receipt = {KEYS[4], ARGV[12], code, ARGV[13], entry}
for i = 15 + entryFields, #ARGV do
  receipt[#receipt + 1] = ARGV[i]
end
redis.call('HSET', unpack(receipt))
redis.call('EXPIRE', KEYS[4], ARGV[6])

if keyed then
  redis.call('HSET', idem, 'hash', ARGV[1], 'id', ARGV[2], 'code', code, 'receivedAt', ARGV[7],
    'expectedResultBy', ARGV[8])
  redis.call('EXPIRE', idem, ARGV[5])
end
return {'accepted', ARGV[2], code, ARGV[7], ARGV[8]}
