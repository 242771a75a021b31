-- KEYS: job; ARGV: ttl, id, now.
-- Queued -> running (a resumed job stays running); returns the status before, or nil.
local status = redis.call('HGET', KEYS[1], 'status')
if not status or final(status) then return nil end
redis.call('HSET', KEYS[1], 'status', RUNNING)
if redis.call('HGET', KEYS[1], 'startedAt') == '' then redis.call('HSET', KEYS[1], 'startedAt', ARGV[3]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
publish(KEYS[1], ARGV[2])
return status
