-- Test only: the queue_sequence of dossier-code.lua (prefixed when loaded) for every ARGV.
local out = {}
for i, n in ipairs(ARGV) do
  out[i] = queue_sequence(tonumber(n))
end
return out
