-- KEYS: admissions, wait, active, prioritized, paused; ARGV: now, expiry, member, capacity.
-- Counts uploads in flight on every API instance together with the jobs in BullMQ, and takes a
-- place only when there is one: the check and the reservation are one step, so concurrent
-- submits on several instances cannot overshoot. Returns -1 when admitted, else the count.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local taken = redis.call('ZCARD', KEYS[1]) + redis.call('LLEN', KEYS[2]) + redis.call('LLEN', KEYS[3])
  + redis.call('ZCARD', KEYS[4]) + redis.call('LLEN', KEYS[5])
if taken >= tonumber(ARGV[4]) then return taken end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
return -1
