-- The queued dossier a status look-up finds before the intake has written its row. One call in one slot (the dossier
-- id names its partition). KEYS[1] the dossier's queued receipt   KEYS[2] its partition's stream
-- ARGV[1] the entry the id names (Partitions.entryIdOf): the dossier's entry, unless it is a pre-id (see below).
-- A receipt (written by earlier releases, and by the enqueue script's fallback, whose entries carry their id) names
-- the entry and decides; otherwise the entry the id names is read. The gateway checks that an entry found is this
-- dossier's (an id of an earlier release, or a fallback's pre-id, may name another dossier's entry).
-- Returns {"entry", {field, value, ...}, entry id}; {"hash", {field, value, ...}} for a receipt of an earlier release
-- (a hash with its own copy of the fields); {"gone"} when the receipt's entry was deleted (the intake wrote the row
-- meanwhile); or {"none"}: no receipt and no entry (an unknown dossier, or the intake wrote the row and deleted the
-- entry, with its receipt if it had one).
local entry = redis.pcall('GET', KEYS[1])
if type(entry) == 'table' and entry.err then
  return {'hash', redis.call('HGETALL', KEYS[1])}
end
if not entry then
  local named = redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[1])
  if #named == 0 then
    return {'none'}
  end
  return {'entry', named[1][2], ARGV[1]}
end
local found = redis.call('XRANGE', KEYS[2], entry, entry)
if #found == 0 then
  return {'gone'}
end
return {'entry', found[1][2], entry}
