-- One rate-limit decision. Prefixed with gcra.lua when loaded.
-- KEYS[1] limit key   ARGV[1] emission interval (ms)   ARGV[2] burst
return gcra(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
