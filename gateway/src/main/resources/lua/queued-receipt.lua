-- The queued dossier a status look-up finds before the intake has written its row: the receipt names the stream
-- entry, whose fields the gateway turns into the view. One call in one slot (the dossier id names its partition).
-- KEYS[1] the dossier's receipt   KEYS[2] its partition's stream
-- Returns {"entry", {field, value, ...}}; {"hash", {field, value, ...}} for a receipt of an earlier release (a hash
-- with its own copy of the fields); {"gone"} when the entry was deleted (the intake wrote the row meanwhile); or
-- {"none"}: no receipt (an unknown dossier, or the intake wrote the row and deleted the receipt with the entry).
local entry = redis.pcall('GET', KEYS[1])
if type(entry) == 'table' and entry.err then
  return {'hash', redis.call('HGETALL', KEYS[1])}
end
if not entry then
  return {'none'}
end
local found = redis.call('XRANGE', KEYS[2], entry, entry)
if #found == 0 then
  return {'gone'}
end
return {'entry', found[1][2]}
