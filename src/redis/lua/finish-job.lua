-- KEYS: job; ARGV: ttl, id, status, finishedAt, error JSON or '', '1' to drop the pages.
-- Only the first writer of a final status wins (it then sends the webhook): returns 1 for it, else 0.
local status = redis.call('HGET', KEYS[1], 'status')
if not status or final(status) then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'finishedAt', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[5]) end
redis.call('HDEL', KEYS[1], 'password')
if ARGV[6] == '1' then
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(field, 1, string.len(PAGE_FIELD_PREFIX)) == PAGE_FIELD_PREFIX then redis.call('HDEL', KEYS[1], field) end
  end
  redis.call('HSET', KEYS[1], 'bytes', 0)
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local key = redis.call('HGET', KEYS[1], 'idempotencyKey')
if key then redis.call('PEXPIRE', key, ARGV[1]) end
publish(KEYS[1], ARGV[2])
return 1
