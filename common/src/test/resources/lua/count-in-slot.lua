-- RedisScriptSlotMoveTest: one write in the key's slot, its count returned
return redis.call('INCR', KEYS[1])
