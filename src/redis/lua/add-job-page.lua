-- KEYS: job; ARGV: ttl, id, field, page JSON, its bytes.
-- Keeps a page once; returns the job's result bytes, or -1 when it is gone or ended.
local status = redis.call('HGET', KEYS[1], 'status')
if not status or final(status) then return -1 end
if redis.call('HSETNX', KEYS[1], ARGV[3], ARGV[4]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'done', 1)
  redis.call('HINCRBY', KEYS[1], 'bytes', ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  publish(KEYS[1], ARGV[2])
end
return tonumber(redis.call('HGET', KEYS[1], 'bytes'))
