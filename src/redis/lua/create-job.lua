-- KEYS: job, idempotency key (or ''); ARGV: ttl, id, fields…
-- Returns '' when created, else the id of the job the idempotency key names.
if KEYS[2] ~= '' then
  local earlier = redis.call('GET', KEYS[2])
  if earlier and redis.call('EXISTS', JOB_KEY_PREFIX .. earlier) == 1 then return earlier end
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[1])
end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
publish(KEYS[1], ARGV[2])
return ''
