-- KEYS: job; ARGV: ttl, id, documentPages, selected (JSON), total.
-- Drops the password: the PDF is open.
local status = redis.call('HGET', KEYS[1], 'status')
if not status or final(status) then return 0 end
redis.call('HSET', KEYS[1], 'documentPages', ARGV[3], 'selected', ARGV[4], 'total', ARGV[5])
redis.call('HDEL', KEYS[1], 'password')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
publish(KEYS[1], ARGV[2])
return 1
