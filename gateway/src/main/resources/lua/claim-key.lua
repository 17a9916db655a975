-- The write-once claim of an Idempotency-Key across partitions, in the key's own slot, before the partition script.
-- The first use records the body's digest; a later use with the same digest may go on (the partition script then
-- replays the receipt, or queues the dossier if the first attempt never got that far); another digest is refused,
-- whichever receiving unit (partition) each body names. Write-once: a crash between this and the partition script
-- leaves a claim that only the same body can use.
-- KEYS[1] claim   ARGV[1] SHA-256 of the body   ARGV[2] idempotency TTL (ms)
-- Returns "new", "same" or "conflict".
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 'new'
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return 'same'
end
return 'conflict'
