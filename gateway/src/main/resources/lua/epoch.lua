-- Whether a partition's epoch marker is current: it names this redis-server process's run (INFO server's run_id, new
-- at every start of the server and different on every node). Set by seed-sequences.lua once the partition's counters
-- were raised to the codes PostgreSQL holds. A marker of another run means the data may not be the data the counters
-- were seeded into and numbered since: a restart from an older RDB or AOF (an operator restoring yesterday's backup,
-- disaster recovery), a failover to a replica that lagged, or an ordinary restart that lost nothing. Each is seeded
-- again (raise-only, so a restart that lost nothing only costs one seeding); numbering on the marker alone gave a
-- restored Redis's counters, behind PostgreSQL, codes PostgreSQL already held for other dossiers (an operator drill).
-- INFO server costs about 2 µs of redis-server CPU, once per call that numbers a dossier.
local function this_run()
  local info = redis.call('INFO', 'server')
  local at = string.find(info, 'run_id:', 1, true)
  return string.sub(info, at + 7, at + 46)
end

local function epoch_current(marker)
  local value = redis.call('GET', marker)
  return value ~= false and string.sub(value, 1, 40) == this_run()
end
