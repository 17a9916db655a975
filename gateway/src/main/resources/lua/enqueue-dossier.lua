-- Enqueues dossiers atomically in their receiving unit's partition, each with its idempotency check, dossier code and
-- stream entry. One call carries one or more dossiers of one partition (the gateway's group commit, EnqueueBatches):
-- each takes ITEM_KEYS keys and ITEM_ARGS values, in turn, and they are enqueued in that order. Prefixed with
-- dossier-code.lua and with constants DossierQueue renders from Java when it loads the script (CODE_FORMAT,
-- CODE_FIELD, ID_FIELD, ENTRY_FIELDS, SEQUENCE_TTL; their owners are DossierCode, StreamEntry and CodeSequences), so
-- a call sends values only. Every key is in the partition's hash slot, so in cluster mode the script runs on one
-- master; being one script it is serialised: concurrent retries of one Idempotency-Key yield exactly one dossier (two
-- of them in one call too: the second meets the first's record), and no two dossiers of a unit and day share a code.
-- Each dossier's writes come after every check that can refuse it and the idempotency record last, so no dossier is
-- left with a record but no entry.
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
-- Numbering only from counters this Redis kept: KEYS[2], the partition's epoch marker (no TTL), is there from the first
-- seeding of the partition's counters (CodeSequences, seed-sequences.lua) for as long as Redis keeps its data. A Redis
-- that came back without it (restarted without its append-only file, a failover to an empty node, FLUSHALL) would
-- count every unit's day from 1 again and give codes PostgreSQL already holds for other dossiers: then a dossier that
-- needs a number gets {"unseeded"}, with nothing written for it, and the gateway seeds the counters from PostgreSQL and
-- calls again. Asked once per call, and only when a dossier of it needs a number: a replay, a conflict or a
-- read-only ("replay") dossier is answered from its idempotency record as ever (the warm-up never meets it).
--
-- One call: KEYS[1] the partition's stream, KEYS[2] its epoch marker, then per dossier KEYS[i] its idempotency record
-- (a placeholder in the slot when the request has no Idempotency-Key) and KEYS[i+1] its receiving unit's daily
-- sequence (SEQUENCE_TTL seconds from its first number).
-- ARGV[1] idempotency TTL (s)   ARGV[2] receipt TTL (s)   ARGV[3] "1": a replay writes, so that a WAIT after this
-- script also covers the original write   ARGV[4] the partition's queued-receipt key prefix (the fallback's key is
-- this and the pre-id: in the partition's slot, since the prefix carries its hash tag)
-- then per dossier, from ARGV[a] (ITEM_ARGS values each, in this order):
--   SHA-256 of the body; the pre-id (the entry's "rid", and ID_FIELD in the fallback); code prefix
--   "<receiving unit>-YYMMDD"; expected result date (for the idempotency record); received at; Idempotency-Key (""
--   when none); the body; the client id; "replay": only answer a replay (or "absent"), never enqueue, or "enqueue";
--   the expected result date as the entry carries it (days after received at's UTC date, StreamEntry.DUE); the
--   request's deadline, milliseconds since the epoch ("0": none): past it on Redis's clock (TIME) the dossier is not
--   queued but answered {"expired"}: the gateway gave up on the call by then and may have answered the request
--   another way (the direct path), so a call that reached Redis late (a stalled server resuming, a reply lost in a
--   failover) must not queue a second dossier of one Idempotency-Key
-- Each value is sent once: every string a call carries becomes a Lua string, which Redis hashes byte by byte (the
-- body above all), and the values a call shares are the same for all its dossiers (ops/bench/RUNS.md, run BI).
-- ENTRY_FIELDS names the entry's fields after CODE_FIELD (StreamEntry.QUEUED_FIELDS): the pre-id, the client,
-- received at, the Idempotency-Key, the body, its SHA-256 and the expected result date, in this order.
--
-- Returns one reply per dossier, in order: {"accepted", code, id}, {"duplicate", id, code, receivedAt,
-- expectedResultBy}, {"conflict", id}, {"absent"}, {"reserved"}, {"unseeded"} or {"expired"}. A "duplicate" whose code
-- is DIRECT_CODE is a key reserved for the direct path: its dossier is (or is about to be) in PostgreSQL.
local ITEM_KEYS = 2
local ITEM_ARGS = 11
local CALL_KEYS = 2
local CALL_ARGS = 4
local stream, epoch = KEYS[1], KEYS[2]
-- nil until a dossier of the call needs a number, then whether the epoch marker is there
local seeded
local idempotency_ttl, receipt_ttl, replay_writes, receipt_prefix = ARGV[1], ARGV[2], ARGV[3] == '1', ARGV[4]
local RID, CLIENT, RECEIVED_AT, IDEMPOTENCY_KEY, PAYLOAD, SHA256, DUE = unpack(ENTRY_FIELDS)
assert(#ENTRY_FIELDS == 7, 'the script writes seven entry fields after the code')

-- Redis's clock in milliseconds, read once per call and only when a dossier of it has a deadline
local now_ms
local function past(deadline)
  if deadline == 0 then
    return false
  end
  if now_ms == nil then
    local t = redis.call('TIME')
    now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return now_ms > deadline
end

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

-- XADDs a dossier's entry onto the stream, its fields in StreamEntry's order, with any further field/value pairs
-- (the fallback's ID_FIELD); returns the entry's id.
local function add_entry(code, pre, client, receivedAt, key, body, sha, due, ...)
  return redis.call('XADD', stream, '*', CODE_FIELD, code, RID, pre, CLIENT, client, RECEIVED_AT, receivedAt,
    IDEMPOTENCY_KEY, key, PAYLOAD, body, SHA256, sha, DUE, due, ...)
end

-- The dossier whose keys start at KEYS[k] and values at ARGV[a].
local function enqueue(k, a)
  local idem = KEYS[k]
  local sha, pre, expected, receivedAt, key = ARGV[a], ARGV[a + 1], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  local keyed = key ~= ''

  if keyed then
    local seen = redis.pcall('GET', idem)
    local hash, id, code, seenAt, seenExpected
    local old = type(seen) == 'table' and seen.err
    if old then
      -- an earlier release's record: a hash holding its own copy of the receipt
      local r = redis.call('HMGET', idem, 'hash', 'id', 'code', 'receivedAt', 'expectedResultBy')
      hash, id, code, seenAt, seenExpected = r[1], r[2], r[3], r[4], r[5]
    elseif seen then
      hash, id, code, seenAt, seenExpected = string.match(seen, '^(%S+) (%S+) (%S+) (%S+) (%S+)$')
    end
    if hash then
      if hash ~= sha then
        return {'conflict', id}
      end
      if replay_writes and old then
        redis.call('HINCRBY', idem, 'replays', 1)
      elseif replay_writes then
        redis.call('SET', idem, seen, 'KEEPTTL')
      end
      return {'duplicate', id, code, seenAt, seenExpected}
    end
  end
  if ARGV[a + 8] == 'replay' then
    return {'absent'}
  end
  if ARGV[a + 8] == 'reserve' then
    -- the direct path's mark, taken while the key is still absent here: a record naming no code (DIRECT_CODE), so
    -- an attempt of the key on any gateway from now on meets it and asks PostgreSQL instead of queuing a second
    -- dossier (two gateways either side of the memory ratio: one key, two codes)
    if keyed then
      redis.call('SET', idem, sha .. ' ' .. pre .. ' ' .. DIRECT_CODE .. ' ' .. receivedAt .. ' ' .. expected,
        'EX', idempotency_ttl)
      return {'reserved'}
    end
    return {'absent'}
  end
  if past(tonumber(ARGV[a + 10])) then
    return {'expired'}
  end
  if seeded == nil then
    seeded = redis.call('EXISTS', epoch) == 1
  end
  if not seeded then
    return {'unseeded'}
  end

  local seq = redis.call('INCR', KEYS[k + 1])
  if seq == 1 then
    redis.call('EXPIRE', KEYS[k + 1], SEQUENCE_TTL)
  end
  local code = string.format(CODE_FORMAT, ARGV[a + 2], queue_sequence(seq))
  local client, body, due = ARGV[a + 7], ARGV[a + 6], ARGV[a + 9]

  local entry = add_entry(code, pre, client, receivedAt, key, body, sha, due)
  local id = entry_dossier_id(pre, entry)
  if not id then
    -- the fallback: an entry that carries its id, and the receipt that finds it (see the header)
    redis.call('XDEL', stream, entry)
    entry = add_entry(code, pre, client, receivedAt, key, body, sha, due, ID_FIELD, pre)
    redis.call('SET', receipt_prefix .. pre, entry, 'EX', receipt_ttl)
    id = pre
  end

  if keyed then
    redis.call('SET', idem, sha .. ' ' .. id .. ' ' .. code .. ' ' .. receivedAt .. ' ' .. expected,
      'EX', idempotency_ttl)
  end
  return {'accepted', code, id}
end

local replies = {}
for i = 1, (#KEYS - CALL_KEYS) / ITEM_KEYS do
  replies[i] = enqueue(CALL_KEYS + 1 + (i - 1) * ITEM_KEYS, CALL_ARGS + 1 + (i - 1) * ITEM_ARGS)
end
return replies
