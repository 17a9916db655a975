-- Enqueues dossiers atomically in their receiving unit's partition, each with its idempotency check, dossier code and
-- stream entry. One call carries one or more dossiers of one partition (the gateway's group commit, EnqueueBatches):
-- each takes ITEM_KEYS keys and ITEM_ARGS values, in turn, and they are enqueued in that order. Prefixed with
-- dossier-code.lua and with constants DossierQueue renders from Java when it loads the script (CODE_FORMAT,
-- CODE_FIELD, ID_FIELD, ENTRY_FIELDS, RECEIVED_AT_POSITION: receivedAt's place in ENTRY_FIELDS; their owners are
-- DossierCode and StreamEntry), so a call sends values only. Every key is in the partition's hash slot, so in
-- cluster mode the script runs on one master; being one script it is serialised: concurrent retries of one
-- Idempotency-Key yield exactly one dossier (two of them in one call too: the second meets the first's record), and no
-- two dossiers of a unit and day share a code. Each dossier's writes come after every check that can refuse it and
-- the idempotency record last, so no dossier is left with a record but no entry.
--
-- The dossier's id names its stream entry (Partitions.entryDossierId, which owns the rule; EnqueueScriptTest holds
-- the two together): the entry's millisecond and sequence, then the last two groups of the gateway's pre-id (sent as
-- the entry's "rid", which names the partition), so a status look-up finds the entry from the id alone and no key
-- of its own is written. A sequence beyond 12 bits (Redis's clock went back while it ran, or over 4096 dossiers of
-- the partition in one millisecond) cannot be named: that entry is deleted and queued again carrying ID_FIELD = the
-- pre-id, which is then the dossier's id, with the queued receipt of earlier releases (the entry's id under the
-- dossier's id) for the look-up. The intake reads both kinds, and the entries and receipts of earlier releases: it
-- must be upgraded before the gateways (README, "Upgrading").
--
-- Stored once: the stream entry (what the workers persist and what a status look-up shows while the dossier is
-- queued) and for a keyed request the idempotency record "<body sha256> <dossier id> <code> <received at> <expected
-- result date>", all a replay answers with, which outlives the entry. Records of an earlier release (hashes: a
-- receipt with its own copy of the fields, an idempotency record with the receipt's) are still honoured until they
-- expire.
--
-- Per dossier, numbered from its own first key and value:
-- KEYS[1] idempotency record (a placeholder in the slot when the request has no Idempotency-Key)
-- KEYS[2] daily sequence of the receiving unit      KEYS[3] partition stream
-- KEYS[4] queued receipt under the pre-id (written only by the fallback)
-- ARGV[1] SHA-256 of the body   ARGV[2] the pre-id   ARGV[3] code prefix "<receiving unit>-YYMMDD"
-- ARGV[4] idempotency TTL (s)   ARGV[5] receipt TTL (s)   ARGV[6] "1" when the request has an Idempotency-Key
-- ARGV[7] "replay": only answer a replay (or "absent"), never enqueue; "enqueue": the full script
-- ARGV[8] "1": a replay writes, so that a WAIT after this script also covers the original write
-- ARGV[9] expected result date (for the idempotency record)   ARGV[10...] the values of ENTRY_FIELDS
--
-- Returns one reply per dossier, in order: {"accepted", code, id}, {"duplicate", id, code, receivedAt,
-- expectedResultBy}, {"conflict", id} or {"absent"}.
local ITEM_KEYS = 4
local ITEM_ARGS = 9 + #ENTRY_FIELDS

local MAX_SEQUENCE = 4095
local HEX = {string.byte('0123456789abcdef', 1, 16)}
local DASH, SEVEN = string.byte('-'), string.byte('7')
-- the id's first 15 characters for the millisecond of the call's latest entry, and that entry id's "<ms>-"
local ms_dash, ms_head

-- The id of the dossier queued as entry "<ms>-<seq>" with pre-id rid, or nil when the sequence exceeds 12 bits.
-- Digits are read with string.byte and hex written with string.char: with string.match, tonumber and string.format
-- this took 2.0 µs a dossier, as much Redis CPU as the receipt's SET it replaces (ops/bench/RUNS.md, run BE); a
-- call's entries mostly share their millisecond, whose part of the id is then made once.
local function entry_dossier_id(rid, entry)
  local dash = string.find(entry, '-', 1, true)
  local n = #entry
  if n - dash > 4 then
    return nil
  end
  local seq = 0
  for i = dash + 1, n do
    seq = seq * 10 + string.byte(entry, i) - 48
  end
  if seq > MAX_SEQUENCE then
    return nil
  end
  if not ms_dash or string.find(entry, ms_dash, 1, true) ~= 1 then
    -- 48 bits: Lua numbers are doubles, exact to 2^53
    local ms = 0
    for i = 1, dash - 1 do
      ms = ms * 10 + string.byte(entry, i) - 48
    end
    local h = {}
    for i = 12, 1, -1 do
      h[i] = HEX[ms % 16 + 1]
      ms = math.floor(ms / 16)
    end
    ms_dash = string.sub(entry, 1, dash)
    ms_head = string.char(h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], DASH, h[9], h[10], h[11], h[12], DASH,
      SEVEN)
  end
  return ms_head .. string.char(HEX[math.floor(seq / 256) + 1], HEX[math.floor(seq / 16) % 16 + 1], HEX[seq % 16 + 1])
    .. string.sub(rid, 19)
end

local function enqueue(KEYS, ARGV)
  local idem = KEYS[1]
  local keyed = ARGV[6] == '1'
  local FIRST_VALUE = 10

  if keyed then
    local seen = redis.pcall('GET', idem)
    local hash, id, code, receivedAt, expected
    local old = type(seen) == 'table' and seen.err
    if old then
      -- an earlier release's record: a hash holding its own copy of the receipt
      local r = redis.call('HMGET', idem, 'hash', 'id', 'code', 'receivedAt', 'expectedResultBy')
      hash, id, code, receivedAt, expected = r[1], r[2], r[3], r[4], r[5]
    elseif seen then
      hash, id, code, receivedAt, expected = string.match(seen, '^(%S+) (%S+) (%S+) (%S+) (%S+)$')
    end
    if hash then
      if hash ~= ARGV[1] then
        return {'conflict', id}
      end
      if ARGV[8] == '1' and old then
        redis.call('HINCRBY', idem, 'replays', 1)
      elseif ARGV[8] == '1' then
        redis.call('SET', idem, seen, 'KEEPTTL')
      end
      return {'duplicate', id, code, receivedAt, expected}
    end
  end
  if ARGV[7] == 'replay' then
    return {'absent'}
  end

  local seq = redis.call('INCR', KEYS[2])
  if seq == 1 then
    redis.call('EXPIRE', KEYS[2], 172800)
  end
  local code = string.format(CODE_FORMAT, ARGV[3], queue_sequence(seq))

  local xadd = {KEYS[3], '*', CODE_FIELD, code}
  for i, name in ipairs(ENTRY_FIELDS) do
    xadd[#xadd + 1] = name
    xadd[#xadd + 1] = ARGV[FIRST_VALUE - 1 + i]
  end
  local entry = redis.call('XADD', unpack(xadd))
  local id = entry_dossier_id(ARGV[2], entry)
  if not id then
    -- the fallback: an entry that carries its id, and the receipt that finds it (see the header)
    redis.call('XDEL', KEYS[3], entry)
    xadd[#xadd + 1] = ID_FIELD
    xadd[#xadd + 1] = ARGV[2]
    entry = redis.call('XADD', unpack(xadd))
    redis.call('SET', KEYS[4], entry, 'EX', ARGV[5])
    id = ARGV[2]
  end

  if keyed then
    local receivedAt = ARGV[FIRST_VALUE - 1 + RECEIVED_AT_POSITION]
    redis.call('SET', idem, ARGV[1] .. ' ' .. id .. ' ' .. code .. ' ' .. receivedAt .. ' ' .. ARGV[9],
      'EX', ARGV[4])
  end
  return {'accepted', code, id}
end

-- each dossier sees its own keys and values as KEYS[1...] and ARGV[1...]
local replies = {}
for first = 0, #KEYS / ITEM_KEYS - 1 do
  replies[#replies + 1] = enqueue({unpack(KEYS, first * ITEM_KEYS + 1, (first + 1) * ITEM_KEYS)},
    {unpack(ARGV, first * ITEM_ARGS + 1, (first + 1) * ITEM_ARGS)})
end
return replies
