-- The Redis path's share of the dossier code's sequence numbers (DossierCode.queueSequence, the owner of the rule):
-- the n-th number whose zero-padded form does not start with 9. 1..8999 as before, then 10000..89999,
-- 100000..899999, ...; numbers starting with 9 are the direct PostgreSQL path's (DossierCode.directSequence).
-- Lua numbers are doubles: exact far beyond any day's count.
local function queue_sequence(n)
  if n <= 8999 then
    return n
  end
  local rest = n - 8999
  local base = 10000
  while rest > 8 * base do
    rest = rest - 8 * base
    base = base * 10
  end
  return base + rest - 1
end
