-- KEYS: job; ARGV: ttl, field, value.
-- Writes one field while the job exists (a DELETE wins over a late write).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
