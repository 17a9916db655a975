-- The two limits of a call with a publishable key, in one decision. Prefixed with gcra.lua when loaded.
-- KEYS[1] the caller address's limit key   KEYS[2] the client's (one slot: the client's hash tag)
-- ARGV[1] address emission interval (ms)   ARGV[2] address burst   ARGV[3] client interval (ms)   ARGV[4] client burst
-- The address is asked first and a refusal ends there: an abuser's refused calls never reach the client's budget.
-- A call either limit refuses takes from neither. Returns the address's decision, then the client's when asked.
local now = gcra_now()
local address, address_tat = gcra_peek(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), now)
if address[1] == 0 then
  return address
end
local client, client_tat = gcra_peek(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]), now)
if client[1] == 1 then
  gcra_take(KEYS[1], address_tat, now)
  gcra_take(KEYS[2], client_tat, now)
end
return {address[1], address[2], address[3], address[4], client[1], client[2], client[3], client[4]}
