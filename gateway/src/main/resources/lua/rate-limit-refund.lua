-- Gives back one admitted request's share of a limit. Prefixed with gcra.lua when loaded.
-- KEYS[1] limit key   ARGV[1] emission interval (ms)
return gcra_refund(KEYS[1], tonumber(ARGV[1]))
